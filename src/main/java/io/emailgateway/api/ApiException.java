package io.emailgateway.api;

/**
 * A refusal of the admin API, carrying its status; {@link ProblemJson} turns it into an RFC 9457
 * problem document. {@code parameter} names the query or path parameter (or body field) at fault.
 */
public final class ApiException extends RuntimeException {
  private final int status;
  private final String title;
  private final String parameter;

  private ApiException(int status, String title, String detail, String parameter) {
    super(detail, null, false, false);
    this.status = status;
    this.title = title;
    this.parameter = parameter;
  }

  public static ApiException badParameter(String parameter, String detail) {
    return new ApiException(400, "Bad Request", parameter + ": " + detail, parameter);
  }

  public static ApiException notFound(String detail) {
    return new ApiException(404, "Not Found", detail, null);
  }

  public static ApiException unauthorized() {
    return new ApiException(401, "Unauthorized", "a valid bearer token (admin.token) is required", null);
  }

  public static ApiException unavailable(String detail) {
    return new ApiException(503, "Service Unavailable", detail, null);
  }

  public static ApiException internal() {
    return new ApiException(500, "Internal Server Error", "internal error", null);
  }

  public int status() {
    return status;
  }

  public String title() {
    return title;
  }

  public String parameter() {
    return parameter;
  }
}
