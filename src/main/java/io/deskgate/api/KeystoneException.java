package io.deskgate.api;

import io.vertx.core.json.JsonObject;

/**
 * An error of the IAM (Keystone v3) routes, answered in Keystone's shape:
 * {@code {"error":{"code":401,"message":"...","title":"Unauthorized"}}}.
 */
public final class KeystoneException extends ApiException {

  private final String title;

  public KeystoneException(int status, String title, String message) {
    super(status, String.valueOf(status), message);
    this.title = title;
  }

  @Override
  public JsonObject body(String requestId) {
    return new JsonObject().put("error",
        new JsonObject().put("code", status()).put("message", getMessage()).put("title", title));
  }

  public static KeystoneException unauthorized(String message) {
    KeystoneException refused = new KeystoneException(401, "Unauthorized", message);
    refused.authFailure("login_refused");
    return refused;
  }

  public static KeystoneException badRequest(String message) {
    return new KeystoneException(400, "Bad Request", message);
  }

  public static KeystoneException notFound(String message) {
    return new KeystoneException(404, "Not Found", message);
  }

  public static KeystoneException forbidden(String message) {
    return new KeystoneException(403, "Forbidden", message);
  }
}
