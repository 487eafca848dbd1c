package io.emailgateway.provider;

/**
 * A refusal with the HTTP status the gateway answers. {@code publicMessage} is what the caller
 * sees; {@code reason} is for the log and the metric label only (for 401 it names which check
 * failed, which the sender must not learn).
 */
public class WebhookException extends RuntimeException {
  private final int status;
  private final String publicMessage;
  private final String reason;
  private final java.util.Map<String, String> responseHeaders = new java.util.LinkedHashMap<>();

  public WebhookException(int status, String publicMessage, String reason) {
    super(reason, null, false, false);
    this.status = status;
    this.publicMessage = publicMessage;
    this.reason = reason;
  }

  public static WebhookException unauthorized(String reason) {
    return new WebhookException(401, "unauthorized", reason);
  }

  public static WebhookException badRequest(String message) {
    return new WebhookException(400, message, "bad_request");
  }

  public static WebhookException unsupportedMediaType(String mediaType) {
    return new WebhookException(415, "content type not accepted: " + mediaType, "unsupported_media_type");
  }

  /** 503 with {@code Retry-After}: the ESP retries, so nothing is lost. */
  public static WebhookException unavailable(String reason, int retryAfterSeconds) {
    return new WebhookException(503, "temporarily unavailable, retry later", reason)
        .withHeader("Retry-After", Integer.toString(retryAfterSeconds));
  }

  public static WebhookException tooLarge(long limit) {
    return new WebhookException(413, "body larger than " + limit + " bytes", "too_large");
  }

  /** The request did not arrive within {@code http.request_timeout} (a sender trickling its body). */
  public static WebhookException requestTimeout() {
    return new WebhookException(408, "request not received in time", "request_timeout");
  }

  public static WebhookException notFound() {
    return new WebhookException(404, "unknown source", "unknown_source");
  }

  /** A header the response must carry, such as {@code Retry-After} or a basic-auth challenge. */
  public WebhookException withHeader(String name, String value) {
    responseHeaders.put(name, value);
    return this;
  }

  public java.util.Map<String, String> responseHeaders() {
    return responseHeaders;
  }

  public int status() {
    return status;
  }

  public String publicMessage() {
    return publicMessage;
  }

  public String reason() {
    return reason;
  }
}
