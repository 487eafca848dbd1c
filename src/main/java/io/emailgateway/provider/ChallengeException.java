package io.emailgateway.provider;

/**
 * A 401 that must carry a {@code WWW-Authenticate} challenge: some senders (Amazon SNS) only
 * send their basic-auth credentials after being challenged, so a bare 401 would lock them out.
 * The challenge travels as a response header of the refusal, which the HTTP layer sends.
 */
public class ChallengeException extends WebhookException {
  private final String wwwAuthenticate;

  public ChallengeException(String reason, String wwwAuthenticate) {
    super(401, "unauthorized", reason);
    this.wwwAuthenticate = wwwAuthenticate;
    withHeader("WWW-Authenticate", wwwAuthenticate);
  }

  /** A basic-auth challenge for {@code realm} (which must not contain a double quote). */
  public static ChallengeException basic(String reason, String realm) {
    return new ChallengeException(reason, "Basic realm=\"" + realm + "\"");
  }

  /** The value of the {@code WWW-Authenticate} response header, e.g. {@code Basic realm="ses-main"}. */
  public String wwwAuthenticate() {
    return wwwAuthenticate;
  }
}
