package io.emailgateway.provider;

import io.emailgateway.config.ConfigException;
import io.emailgateway.config.ConfigSection;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.ASN1IA5String;
import org.bouncycastle.asn1.x509.AccessDescription;
import org.bouncycastle.asn1.x509.AuthorityInformationAccess;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether an SNS signing certificate may be believed: it chains (PKIX, RFC 5280) to the trust
 * anchors of {@code cert_trust_anchors} (default: the JVM trust store) and is valid now. The
 * anchors are read once, at construction. An anchor may also be the signing certificate itself
 * (pinning), which is how a test or an air-gapped partition can trust one exact certificate.
 * Revocation is not checked: OCSP/CRL lookups would be blocking network calls, and the
 * certificate only ever comes from an SNS host over HTTPS.
 */
final class SnsTrust {
  private static final Logger LOG = LoggerFactory.getLogger(SnsTrust.class);
  private static final int MAX_PATH = 6;

  private final Set<TrustAnchor> anchors;
  private final Set<X509Certificate> anchorCertificates;
  private final Set<X500Principal> anchorSubjects;
  private final Clock clock;

  SnsTrust(Collection<X509Certificate> anchorCertificates, Clock clock) {
    this.anchorCertificates = Set.copyOf(anchorCertificates);
    this.anchors = this.anchorCertificates.stream().map(c -> new TrustAnchor(c, null)).collect(Collectors.toUnmodifiableSet());
    this.anchorSubjects = this.anchorCertificates.stream().map(X509Certificate::getSubjectX500Principal).collect(Collectors.toUnmodifiableSet());
    this.clock = clock;
  }

  /** Reads {@code cert_trust_anchors} (a PEM file of CA certificates), or the JVM trust store when unset. */
  static SnsTrust fromConfig(ConfigSection settings, Clock clock) {
    String file = settings.string("cert_trust_anchors", "").trim();
    if (file.isEmpty()) {
      return new SnsTrust(JvmTrustStore.CERTIFICATES, clock);
    }
    String key = settings.key("cert_trust_anchors");
    try {
      List<X509Certificate> certificates = certificates(Files.readAllBytes(Path.of(file)));
      if (certificates.isEmpty()) {
        throw ConfigException.invalid(key, "no certificate in " + file);
      }
      return new SnsTrust(certificates, clock);
    } catch (IOException | CertificateException | RuntimeException e) {
      throw e instanceof ConfigException config ? config
          : ConfigException.invalid(key, "cannot read PEM certificates from " + file + ": " + e.getMessage());
    }
  }

  /** Every certificate of a PEM (one or more blocks), DER or PKCS#7 encoding. */
  static List<X509Certificate> certificates(byte[] encoded) throws CertificateException {
    List<X509Certificate> result = new ArrayList<>();
    CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(encoded))
        .forEach(c -> result.add((X509Certificate) c));
    return result;
  }

  /** The leaf followed by the candidates that issued it, in order, as far as they reach. */
  List<X509Certificate> path(X509Certificate leaf, Collection<X509Certificate> candidates) {
    List<X509Certificate> path = new ArrayList<>(List.of(leaf));
    while (path.size() < MAX_PATH && !reachesAnchor(path)) {
      X509Certificate last = path.get(path.size() - 1);
      X509Certificate issuer = candidates.stream()
          .filter(c -> c.getSubjectX500Principal().equals(last.getIssuerX500Principal()) && !path.contains(c))
          .findFirst().orElse(null);
      if (issuer == null) {
        break;
      }
      path.add(issuer);
    }
    return path;
  }

  /** Whether the path ends at a trust anchor (or is a pinned certificate itself). */
  boolean reachesAnchor(List<X509Certificate> path) {
    X509Certificate last = path.get(path.size() - 1);
    return anchorCertificates.contains(path.get(0)) || anchorSubjects.contains(last.getIssuerX500Principal());
  }

  /** PKIX-validates the path at the clock's time; 401 {@code sns_cert_untrusted} otherwise. */
  void validate(List<X509Certificate> path) {
    X509Certificate leaf = path.get(0);
    try {
      if (anchorCertificates.contains(leaf)) {
        leaf.checkValidity(now());
      } else {
        PKIXParameters parameters = new PKIXParameters(anchors);
        parameters.setRevocationEnabled(false);
        parameters.setDate(now());
        CertPathValidator.getInstance("PKIX")
            .validate(CertificateFactory.getInstance("X.509").generateCertPath(path), parameters);
      }
    } catch (GeneralSecurityException e) {
      LOG.warn("SNS signing certificate {} refused: {}", leaf.getSubjectX500Principal(), e.getMessage());
      throw WebhookException.unauthorized("sns_cert_untrusted");
    }
    boolean[] usage = leaf.getKeyUsage();
    if (usage != null && !usage[0]) {
      throw WebhookException.unauthorized("sns_cert_not_for_signing");
    }
  }

  /** A cached certificate may have expired since it was validated. */
  void requireCurrent(X509Certificate certificate) {
    try {
      certificate.checkValidity(now());
    } catch (CertificateException e) {
      throw WebhookException.unauthorized("sns_cert_expired");
    }
  }

  /**
   * The "CA Issuers" URL of the certificate's Authority Information Access extension, or null.
   * SNS serves only its leaf certificate (go.sns issue #8: "AWS seems to return just the end
   * certificate, missing the intermediary"), so the intermediate has to be fetched from there.
   */
  static String caIssuersUrl(X509Certificate certificate) {
    byte[] extension = certificate.getExtensionValue(Extension.authorityInfoAccess.getId());
    if (extension == null) {
      return null;
    }
    try {
      var access = AuthorityInformationAccess.getInstance(JcaX509ExtensionUtils.parseExtensionValue(extension));
      for (AccessDescription description : access.getAccessDescriptions()) {
        GeneralName location = description.getAccessLocation();
        if (description.getAccessMethod().equals(AccessDescription.id_ad_caIssuers)
            && location.getTagNo() == GeneralName.uniformResourceIdentifier) {
          String url = ASN1IA5String.getInstance(location.getName()).getString();
          if (url.startsWith("http://") || url.startsWith("https://")) {
            return url;
          }
        }
      }
    } catch (IOException | IllegalArgumentException e) {
      LOG.debug("unreadable Authority Information Access in {}", certificate.getSubjectX500Principal());
    }
    return null;
  }

  private Date now() {
    return Date.from(clock.instant());
  }

  /** The JVM's default trust store, read once per process. */
  private static final class JvmTrustStore {
    static final Set<X509Certificate> CERTIFICATES = load();

    private static Set<X509Certificate> load() {
      try {
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init((KeyStore) null);
        Set<X509Certificate> certificates = new HashSet<>();
        for (TrustManager manager : factory.getTrustManagers()) {
          if (manager instanceof X509TrustManager x509) {
            certificates.addAll(List.of(x509.getAcceptedIssuers()));
          }
        }
        return Set.copyOf(certificates);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("cannot read the JVM trust store", e);
      }
    }
  }
}
