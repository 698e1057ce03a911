package io.deskgate.web;

import io.vertx.core.http.HttpServerResponse;

/**
 * The headers every page Deskgate serves (console, replay, operator page) and its files carry: its
 * Content-Security-Policy, no framing by other sites unless allowed, no referrer (a console or replay
 * link holds a token), and no content sniffing.
 */
public final class PageHeaders {

  private PageHeaders() {}

  /** {@code frameable}: whether other sites may frame it ({@code console.frame_ancestors}, set in {@code csp}). */
  public static HttpServerResponse apply(HttpServerResponse response, String csp, boolean frameable) {
    response.putHeader("Content-Security-Policy", csp)
        .putHeader("Referrer-Policy", "no-referrer")
        .putHeader("X-Content-Type-Options", "nosniff");
    if (!frameable) {
      response.putHeader("X-Frame-Options", "DENY");
    }
    return response;
  }
}
