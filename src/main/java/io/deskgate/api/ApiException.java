package io.deskgate.api;

import io.vertx.core.json.JsonObject;

/**
 * An error answered to an API client in the contract's format: HTTP status, {@code error_code} and
 * {@code error_msg} (both always present), the request id, and optional extra fields. The static
 * factories are the rows of the contract's error table (spec section 2), in its order; nothing else
 * in Deskgate makes up error codes.
 */
public class ApiException extends RuntimeException {

  private final int status;
  private final String code;
  private final JsonObject extra;
  private String authFailure;

  public ApiException(int status, String code, String message) {
    this(status, code, message, new JsonObject());
  }

  public ApiException(int status, String code, String message, JsonObject extra) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
    this.extra = extra;
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  /** Why the call's credentials were refused (a metric's reason); null for other errors. */
  public String authFailure() {
    return authFailure;
  }

  /** Marks this error as a refusal of the call's credentials, for {@code reason}. */
  public ApiException authFailure(String reason) {
    this.authFailure = reason;
    return this;
  }

  /** The JSON body sent to the client. */
  public JsonObject body(String requestId) {
    JsonObject body = new JsonObject().put("error_code", code).put("error_msg", getMessage());
    body.mergeIn(extra);
    return body.put("request_id", requestId);
  }

  public static ApiException noCredentials() {
    return new ApiException(401, "APIGW.0301", "Incorrect IAM authentication information: x-auth-token not found")
        .authFailure("no_credentials");
  }

  public static ApiException badToken() {
    return new ApiException(401, "APIGW.0301", "Incorrect IAM authentication information: decrypt token fail")
        .authFailure("bad_token");
  }

  public static ApiException tokenExpired() {
    return new ApiException(401, "APIGW.0307", "The token must be updated.").authFailure("token_expired");
  }

  public static ApiException unknownAccessKey() {
    return new ApiException(401, "APIGW.0301", "Incorrect IAM authentication information: Get secretKey failed")
        .authFailure("unknown_access_key");
  }

  public static ApiException badSignature() {
    return new ApiException(401, "APIGW.0301", "Incorrect IAM authentication information: verify aksk signature fail")
        .authFailure("bad_signature");
  }

  public static ApiException accessKeyLocked() {
    return new ApiException(401, "APIGW.0301",
        "Incorrect IAM authentication information: the access key is locked for a while after repeated signature failures")
        .authFailure("access_key_locked");
  }

  public static ApiException notProjectMember() {
    return new ApiException(403, "APIGW.0302", "The IAM user is not authorized to access the API.")
        .authFailure("not_project_member");
  }

  public static ApiException policyDenied(String message, String encodedReason) {
    return new ApiException(403, "WKS.00000403", message,
        new JsonObject().put("encoded_authorization_message", encodedReason));
  }

  public static ApiException desktopNotFound() {
    return new ApiException(404, "WKS.00000404", "The desktop does not exist.");
  }

  public static ApiException desktopConflict(String status, String operation, String desktopId) {
    return new ApiException(409, "WKS.00010032", "Operation conflict. The desktop current instance status is ["
        + status + "] and deny operation [" + operation + "], resource id [" + desktopId + "].");
  }

  public static ApiException badParameter(String whatIsWrong) {
    return new ApiException(400, "WKS.00000400", whatIsWrong);
  }

  public static ApiException bodyTooLarge(int limit) {
    return new ApiException(413, "WKS.00000413", "The request body is larger than " + limit + " bytes.");
  }

  /** A client fault found by the HTTP layer itself (a status of the 4xx range, with our code for it). */
  public static ApiException httpFault(int status, String whatIsWrong) {
    return new ApiException(status, String.format("WKS.00000%d", status), whatIsWrong);
  }

  public static ApiException unsupportedMediaType() {
    return httpFault(415, "The request body must be JSON (Content-Type: application/json).");
  }

  public static ApiException bodyTimeout(int seconds) {
    return httpFault(408, "The request body did not arrive within " + seconds + " s.");
  }

  public static ApiException throttled() {
    return new ApiException(429, "APIGW.0308", "The throttling threshold has been reached.");
  }

  public static ApiException noSuchApi() {
    return new ApiException(404, "APIGW.0101", "The API does not exist or has not been published in the environment.");
  }

  public static ApiException storeUnavailable() {
    return new ApiException(503, "WKS.00000503", "The service is temporarily unavailable, retry later.");
  }

  public static ApiException internal() {
    return new ApiException(500, "WKS.00000500", "Internal error.");
  }
}
