package io.deskgate.api;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
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
}
