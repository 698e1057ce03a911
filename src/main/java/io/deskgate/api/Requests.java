package io.deskgate.api;

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

  private static String shown(String raw) {
    return raw.length() > 40 ? raw.substring(0, 40) + "..." : raw;
  }
}
