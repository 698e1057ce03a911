package io.deskgate.api;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.Locale;

/**
 * Request bodies, read only where a route takes one (POST and PUT) and only as JSON: a body declared as
 * anything else is 415 before a byte is read (no form or multipart parsing anywhere; a body without a
 * content type is read as JSON), a body over {@code api.max_body_bytes} is 413, and a body holding a NUL
 * character, raw or as {@code \u0000}, is 400 before it can reach the store (PostgreSQL refuses NUL in
 * text).
 */
public final class JsonBodies {

  private final BodyHandler reader;

  public JsonBodies(int maxBodyBytes) {
    this.reader = BodyHandler.create(false).setBodyLimit(maxBodyBytes).setHandleFileUploads(false)
        .setMergeFormAttributes(false);
  }

  /** Mounts the checks and the reader for POST and PUT requests under {@code path}. */
  public void mount(Router router, String path) {
    router.route(path).method(HttpMethod.POST).method(HttpMethod.PUT).handler(JsonBodies::jsonOnly);
    router.route(path).method(HttpMethod.POST).method(HttpMethod.PUT).handler(reader).handler(JsonBodies::noNul);
  }

  private static void jsonOnly(RoutingContext ctx) {
    String type = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
    if (type != null && !isJson(type) && HttpFront.declaresBody(ctx.request())) {
      ctx.fail(ApiException.unsupportedMediaType());
      return;
    }
    ctx.next();
  }

  static boolean isJson(String contentType) {
    String type = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    return type.equals("application/json") || (type.startsWith("application/") && type.endsWith("+json"));
  }

  private static void noNul(RoutingContext ctx) {
    Buffer body = ctx.body() == null ? null : ctx.body().buffer();
    if (body != null && hasNul(body)) {
      ctx.fail(ApiException.badParameter("The request body contains a NUL character."));
      return;
    }
    ctx.next();
  }

  static boolean hasNul(Buffer body) {
    int length = body.length();
    for (int i = 0; i < length; i++) {
      byte b = body.getByte(i);
      if (b == 0) {
        return true;
      }
      if (b == '\\' && i + 5 < length && body.getByte(i + 1) == 'u' && body.getByte(i + 2) == '0'
          && body.getByte(i + 3) == '0' && body.getByte(i + 4) == '0' && body.getByte(i + 5) == '0') {
        // an escaped backslash ("\\u0000" in JSON) is text, not NUL: count the backslashes before this one
        int run = 0;
        for (int j = i - 1; j >= 0 && body.getByte(j) == '\\'; j--) {
          run++;
        }
        if (run % 2 == 0) {
          return true;
        }
      }
    }
    return false;
  }
}
