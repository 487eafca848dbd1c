package io.emailgateway.provider;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import java.net.URI;
import java.net.URISyntaxException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * SNS signing certificates by {@code SigningCertURL}. The URL must match the configured pattern
 * before anything is fetched (the URL is chosen by whoever sent the request); the certificate
 * must then chain to the trust anchors ({@link SnsTrust}). Verified certificates are cached,
 * keyed by URL, at most {@value #MAX_ENTRIES} of them for {@link #TTL}; requests that need the
 * same URL while it is being fetched share that one fetch. Failed fetches are not cached.
 */
final class SnsCertificates {
  static final int MAX_ENTRIES = 64;
  static final Duration TTL = Duration.ofHours(1);
  // AWS's own SDK caps an SNS certificate at 10 KiB; this leaves room for a PEM with its chain.
  static final int MAX_CERTIFICATE_BYTES = 32 * 1024;
  private static final int MAX_ISSUER_FETCHES = 3;

  private final Pattern urlPattern;
  private final SnsTrust trust;
  private final SnsHttp http;
  private final Clock clock;
  private final Map<String, Entry> cache = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
      return size() > MAX_ENTRIES;
    }
  };

  private record Entry(Future<X509Certificate> certificate, Instant expires) {}

  SnsCertificates(Pattern urlPattern, SnsTrust trust, SnsHttp http, Clock clock) {
    this.urlPattern = urlPattern;
    this.trust = trust;
    this.http = http;
    this.clock = clock;
  }

  /** The verified certificate at {@code url}; 401 when the URL is not allowed or the certificate not trusted. */
  Future<X509Certificate> certificate(String url) {
    if (!isAllowed(url)) {
      return Future.failedFuture(WebhookException.unauthorized("sns_cert_url_not_allowed"));
    }
    return SnsHttp.onCallerContext(cached(url)).map(certificate -> {
      trust.requireCurrent(certificate);
      return certificate;
    });
  }

  /** Whether {@code url} matches the pattern as a whole and is a plain http(s) URL without credentials. */
  boolean isAllowed(String url) {
    return url != null && urlPattern.matcher(url).matches() && isPlainHttpUrl(url);
  }

  static boolean isPlainHttpUrl(String url) {
    try {
      URI uri = new URI(url);
      return ("https".equals(uri.getScheme()) || "http".equals(uri.getScheme()))
          && uri.getHost() != null && uri.getRawUserInfo() == null;
    } catch (URISyntaxException e) {
      return false;
    }
  }

  private synchronized Future<X509Certificate> cached(String url) {
    Instant now = clock.instant();
    Entry entry = cache.get(url);
    if (entry == null || now.isAfter(entry.expires())) {
      Future<X509Certificate> loading = load(url);
      cache.put(url, new Entry(loading, now.plus(TTL)));
      loading.onFailure(failure -> evict(url, loading));
      return loading;
    }
    return entry.certificate();
  }

  private synchronized void evict(String url, Future<X509Certificate> failed) {
    Entry entry = cache.get(url);
    if (entry != null && entry.certificate() == failed) {
      cache.remove(url);
    }
  }

  private Future<X509Certificate> load(String url) {
    try {
      return http.get(url, MAX_CERTIFICATE_BYTES, "sns_cert")
          .map(SnsCertificates::certificates)
          .compose(certificates -> chain(certificates.get(0), new ArrayList<>(certificates), 0));
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  /**
   * Builds the path from the leaf to an anchor out of what was fetched so far, fetching the
   * missing issuer from the Authority Information Access URL of the last certificate (at most
   * {@value #MAX_ISSUER_FETCHES} times), then validates it. A fetched issuer is trusted only
   * because PKIX then verifies its signature up to an anchor, so it may come over plain HTTP.
   */
  private Future<X509Certificate> chain(X509Certificate leaf, List<X509Certificate> pool, int fetched) {
    List<X509Certificate> path = trust.path(leaf, pool);
    String issuerUrl = trust.reachesAnchor(path) || fetched >= MAX_ISSUER_FETCHES
        ? null : SnsTrust.caIssuersUrl(path.get(path.size() - 1));
    if (issuerUrl == null || !isPlainHttpUrl(issuerUrl)) {
      trust.validate(path);
      return Future.succeededFuture(leaf);
    }
    return http.get(issuerUrl, MAX_CERTIFICATE_BYTES, "sns_cert_issuer")
        .map(SnsCertificates::certificates)
        .compose(issuers -> {
          pool.addAll(issuers);
          return chain(leaf, pool, fetched + 1);
        });
  }

  /** The certificates of a 2xx response; 503 for a server error (SNS will retry), else 401. */
  private static List<X509Certificate> certificates(HttpResponse<Buffer> response) {
    int status = response.statusCode();
    if (status >= 500 || status == 429) {
      throw WebhookException.unavailable("sns_cert_http_" + status, 5);
    }
    if (status < 200 || status > 299) {
      throw WebhookException.unauthorized("sns_cert_http_" + status);
    }
    try {
      List<X509Certificate> certificates = SnsTrust.certificates(response.body() == null ? new byte[0] : response.body().getBytes());
      if (certificates.isEmpty()) {
        throw WebhookException.unauthorized("sns_cert_unreadable");
      }
      return certificates;
    } catch (CertificateException | ClassCastException e) {
      throw WebhookException.unauthorized("sns_cert_unreadable");
    }
  }
}
