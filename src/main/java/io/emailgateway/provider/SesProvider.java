package io.emailgateway.provider;

import io.emailgateway.auth.BasicAuthVerifier;
import io.emailgateway.config.ConfigException;
import io.emailgateway.config.ConfigSection;
import io.emailgateway.config.SourceConfig;
import io.emailgateway.event.EmailEvent;
import io.emailgateway.event.Timestamps;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Amazon SES event notifications delivered by an Amazon SNS HTTP(S) subscription.
 *
 * <p>Authentication: optional basic auth first (SNS sends credentials only after a 401 carrying
 * a {@code WWW-Authenticate} challenge, hence {@link ChallengeException}); then the topic must be
 * in {@code topic_arns}; then the SNS signature (SignatureVersion 1 = SHA1withRSA, 2 =
 * SHA256withRSA) over the canonical string of the raw JSON strings, with the certificate at
 * {@code SigningCertURL}, which must match {@code cert_url_pattern} before it is fetched and must
 * chain to {@code cert_trust_anchors} ({@link SnsCertificates}). No timestamp window: SNS does not
 * re-sign retries, and the event key (SNS MessageId) deduplicates replays.
 *
 * <p>A verified {@code SubscriptionConfirmation} is confirmed by GETting its {@code SubscribeURL}
 * when {@code auto_confirm} is on and the URL matches {@code subscribe_url_pattern}; it and
 * {@code UnsubscribeConfirmation} produce no events.
 *
 * <p>Parsing: one event per affected recipient (see {@link SesEvents}), keyed SNS MessageId +
 * ":" + recipient. An SNS message carries exactly one SES record, so there is no batch to split;
 * a record that cannot be read is refused with 400. Deliberate differences from django-anymail:
 * {@code occurred_at} is the SES event's own time (bounce/complaint/delivery/open/click/delay
 * timestamp, else {@code mail.timestamp} for send/reject/rendering failure), not the SNS
 * envelope's; DeliveryDelay is {@code deferred} and Subscription {@code unsubscribed}/{@code
 * subscribed} (anymail: unknown); the SNS signature is verified (anymail relies on basic auth only).
 *
 * <p>Vert.x: certificates and confirmations are fetched with the WebClient. Construct with
 * {@link #SesProvider(SourceConfig, Vertx)}; the one-argument constructor (used by {@link
 * ProviderRegistry}) takes the Vert.x of the context {@link #authenticate} first runs on.
 */
public final class SesProvider implements WebhookProvider {
  private static final Logger LOG = LoggerFactory.getLogger(SesProvider.class);

  // sns.<region>.<DNS suffix> for every AWS partition (aws, aws-cn, aws-us-gov, aws-iso,
  // aws-iso-b, aws-iso-e, aws-iso-f, aws-eusc: aws-sdk-js-v3 util-endpoints partitions.json).
  private static final String SNS_HOST = "sns\\.[a-z]{2,4}(?:-[a-z]+)+-[0-9]+\\."
      + "(?:amazonaws\\.com|amazonaws\\.com\\.cn|c2s\\.ic\\.gov|sc2s\\.sgov\\.gov|cloud\\.adc-e\\.uk"
      + "|csp\\.hci\\.ic\\.gov|amazonaws\\.eu)";
  static final String DEFAULT_CERT_URL_PATTERN = "https://" + SNS_HOST + "/[A-Za-z0-9_.-]+\\.pem";
  static final String DEFAULT_SUBSCRIBE_URL_PATTERN = "https://" + SNS_HOST + "/\\?Action=ConfirmSubscription&[^#\\s]*";

  private final String sourceId;
  private final Set<String> topicArns;
  private final BasicAuthVerifier basicAuth;
  private final boolean autoConfirm;
  private final Pattern subscribeUrlPattern;
  private final SnsHttp http;
  private final SnsCertificates certificates;
  private final SesEvents events;

  public SesProvider(SourceConfig source) {
    this(source, null, Clock.systemUTC());
  }

  public SesProvider(SourceConfig source, Vertx vertx) {
    this(source, Objects.requireNonNull(vertx, "vertx"), Clock.systemUTC());
  }

  /** {@code clock} decides certificate validity: tests pass a fixed one for published, long-expired vectors. */
  SesProvider(SourceConfig source, Vertx vertx, Clock clock) {
    ConfigSection settings = source.settings();
    this.sourceId = source.id();
    this.topicArns = Set.copyOf(settings.strings("topic_arns"));
    if (topicArns.isEmpty()) {
      throw new MissingCredentialsException(settings.key("topic_arns"));
    }
    topicArns.stream().filter(arn -> !arn.startsWith("arn:")).findFirst().ifPresent(arn -> {
      throw ConfigException.invalid(settings.key("topic_arns"), "not a topic ARN: " + arn);
    });
    this.basicAuth = BasicAuthVerifier.fromConfig(settings, "basic_auth");
    this.autoConfirm = settings.bool("auto_confirm", true);
    this.subscribeUrlPattern = pattern(settings, "subscribe_url_pattern", DEFAULT_SUBSCRIBE_URL_PATTERN);
    this.http = new SnsHttp(vertx);
    this.certificates = new SnsCertificates(pattern(settings, "cert_url_pattern", DEFAULT_CERT_URL_PATTERN),
        SnsTrust.fromConfig(settings, clock), http, clock);
    this.events = new SesEvents(source.id());
  }

  private static Pattern pattern(ConfigSection settings, String key, String fallback) {
    String regex = settings.string(key, "").trim();
    try {
      return Pattern.compile(regex.isEmpty() ? fallback : regex);
    } catch (PatternSyntaxException e) {
      throw ConfigException.invalid(settings.key(key), "not a regular expression: " + e.getDescription());
    }
  }

  /** SNS treats a 4xx as delivered and never retries it: transient refusals must be 5xx. */
  @Override
  public boolean retriesClientErrors() {
    return false;
  }

  @Override
  public String name() {
    return "ses";
  }

  /** SNS posts {@code text/plain} by default, {@code application/json} with a delivery policy saying so. */
  @Override
  public boolean acceptsContentType(String mediaType) {
    return "text/plain".equals(mediaType) || "application/json".equals(mediaType);
  }

  @Override
  public Future<Void> authenticate(WebhookRequest request) {
    try {
      requireBasicAuth(request);
      SnsMessage message = SnsMessage.parse(request.body());
      message.requireHeadersMatch(request);
      if (message.topicArn() == null || !topicArns.contains(message.topicArn())) {
        throw WebhookException.unauthorized("sns_topic_not_allowed");
      }
      message.requireSignable();
      return certificates.certificate(message.signingCertUrl())
          .compose(certificate -> verified(message, certificate))
          .compose(v -> afterVerification(message));
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  private void requireBasicAuth(WebhookRequest request) {
    if (!basicAuth.isConfigured()) {
      return;
    }
    String authorization = request.header("Authorization");
    if (authorization == null || authorization.isBlank()) {
      throw ChallengeException.basic("basic_auth_missing", sourceId);
    }
    if (!basicAuth.verify(authorization)) {
      throw ChallengeException.basic("basic_auth_mismatch", sourceId);
    }
  }

  private static Future<Void> verified(SnsMessage message, X509Certificate certificate) {
    return message.isSignedBy(certificate.getPublicKey())
        ? Future.succeededFuture()
        : Future.failedFuture(WebhookException.unauthorized("sns_signature_mismatch"));
  }

  private Future<Void> afterVerification(SnsMessage message) {
    return switch (message.type()) {
      case SnsMessage.SUBSCRIPTION_CONFIRMATION -> confirm(message);
      case SnsMessage.UNSUBSCRIBE_CONFIRMATION -> {
        LOG.info("source {}: SNS unsubscribed this endpoint from topic {}", sourceId, message.topicArn());
        yield Future.succeededFuture();
      }
      default -> Future.succeededFuture();
    };
  }

  /**
   * Confirms a verified subscription of an allowed topic. The SubscribeURL is signed by SNS but
   * still must match the pattern, so the gateway never GETs a URL an operator did not expect. A
   * failed GET answers 503, so SNS redelivers the confirmation.
   */
  private Future<Void> confirm(SnsMessage message) {
    String url = message.subscribeUrl();
    if (url == null || !subscribeUrlPattern.matcher(url).matches() || !SnsCertificates.isPlainHttpUrl(url)) {
      return Future.failedFuture(WebhookException.badRequest("SubscribeURL is not an allowed SNS URL"));
    }
    if (!autoConfirm) {
      LOG.warn("source {}: auto_confirm is off; confirm the SNS subscription to topic {} yourself: {}",
          sourceId, message.topicArn(), url);
      return Future.succeededFuture();
    }
    return http.get(url, 64 * 1024, "sns_subscribe").compose(response -> {
      if (response.statusCode() / 100 != 2) {
        LOG.warn("source {}: confirming the SNS subscription to {} answered HTTP {}", sourceId, message.topicArn(), response.statusCode());
        return Future.failedFuture(WebhookException.unavailable("sns_subscribe_http_" + response.statusCode(), 5));
      }
      LOG.info("source {}: confirmed the SNS subscription to topic {}", sourceId, message.topicArn());
      return Future.<Void>succeededFuture();
    });
  }

  @Override
  public List<EmailEvent> parse(WebhookRequest request) {
    SnsMessage message = SnsMessage.parse(request.body());
    return SnsMessage.NOTIFICATION.equals(message.type()) ? events.of(message) : List.of();
  }

  @Override
  public List<EmailEvent> reparse(JsonObject espEvent, String eventKey, Instant fallbackTime) {
    // The stored SES record goes back into an SNS Notification: its MessageId is the key's part
    // before the recipient, its Timestamp the stored time (used only where SES gives none).
    int colon = eventKey.indexOf(':');
    JsonObject notification = new JsonObject()
        .put("Type", SnsMessage.NOTIFICATION)
        .put("MessageId", colon < 0 ? eventKey : eventKey.substring(0, colon))
        .put("Timestamp", Timestamps.format(fallbackTime))
        .put("Message", espEvent.encode());
    return parse(StoredEventRequests.json(sourceId, notification, fallbackTime));
  }
}
