package io.deskgate.api;

import io.deskgate.web.RequestLog;
import io.vertx.core.MultiMap;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/** Reading what clients send. */
public final class Requests {

  private Requests() {}

  /** The request body as a JSON object; empty when there is none, it is not JSON, or not an object. */
  public static Optional<JsonObject> jsonBody(RoutingContext ctx) {
    try {
      return ctx.body() == null ? Optional.empty() : Optional.ofNullable(ctx.body().asJsonObject());
    } catch (DecodeException | ClassCastException e) {
      return Optional.empty();
    }
  }

  /**
   * The token of a page's {@code {"token": "..."}} body (a console or replay link) when its client's
   * address is not held back by {@code attempts}; otherwise null, and the request answered (400, 429).
   */
  public static String linkToken(RoutingContext ctx, AttemptLimit attempts) {
    Object given = jsonBody(ctx).map(b -> b.getValue("token")).orElse(null);
    if (!(given instanceof String token)) {
      ctx.fail(ApiException.badParameter("The body must be {\"token\": \"...\"}."));
      return null;
    }
    if (!attempts.allows(RequestLog.client(ctx))) {
      ctx.fail(ApiException.throttled());
      return null;
    }
    return token;
  }

  /** An integer query parameter from {@code min} to {@code max}, {@code dflt} when absent; else 400. */
  public static int intParam(MultiMap query, String name, int dflt, int min, int max) {
    String raw = query.get(name);
    if (raw == null || raw.isEmpty()) {
      return dflt;
    }
    try {
      int value = Integer.parseInt(raw);
      if (value >= min && value <= max) {
        return value;
      }
    } catch (NumberFormatException e) {
      // fall through to the error below
    }
    throw ApiException.badParameter(name + " must be an integer from " + min + " to " + max + ", got '"
        + shown(raw) + "'.");
  }

  /**
   * A time query parameter in ISO 8601 with an offset ({@code 2026-12-04T08:00:00Z},
   * {@code 2026-12-04T16:00:00.000+08:00}), in epoch milliseconds; null when absent; else 400.
   */
  public static Long timeParam(MultiMap query, String name) {
    String raw = query.get(name);
    if (raw == null || raw.isEmpty()) {
      return null;
    }
    try {
      return OffsetDateTime.parse(raw).toInstant().toEpochMilli();
    } catch (DateTimeParseException e) {
      try {
        return Instant.parse(raw).toEpochMilli();
      } catch (DateTimeParseException again) {
        throw ApiException.badParameter(name + " must be a time such as 2026-12-04T08:00:00Z, got '" + shown(raw) + "'.");
      }
    }
  }

  /** The {@code desktop_id} filter of a list call: null when absent; 400 when it cannot be a desktop id. */
  public static String desktopIdParam(MultiMap query) {
    String id = query.get("desktop_id");
    if (id != null && !id.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,254}")) {
      throw ApiException.badParameter("desktop_id must be 1-255 characters: letters, digits, '-', '_' or '.'.");
    }
    return id;
  }

  /** The {@code user_id} filter of a list call: null when absent; 400 when it cannot be a user id. */
  public static String userIdParam(MultiMap query) {
    String id = query.get("user_id");
    if (id != null && !id.matches("[A-Za-z0-9_-]{1,64}")) {
      throw ApiException.badParameter("user_id must be 1-64 letters, digits, '-' or '_'.");
    }
    return id;
  }

  private static String shown(String raw) {
    return raw.length() > 40 ? raw.substring(0, 40) + "..." : raw;
  }
}
