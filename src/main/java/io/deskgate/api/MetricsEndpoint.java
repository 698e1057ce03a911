package io.deskgate.api;

import io.deskgate.web.Metrics;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * {@code GET /metrics} in Prometheus text format, on the node's port or on a port of its own
 * ({@code metrics.listen}); with {@code metrics.token}, only for {@code Authorization: Bearer <token>}.
 */
public final class MetricsEndpoint {

  public static final String PATH = "/metrics";

  private final Metrics metrics;
  private final byte[] expected;

  public MetricsEndpoint(Metrics metrics, String token) {
    this.metrics = metrics;
    this.expected = token == null || token.isEmpty() ? null : ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
  }

  public void mount(Router router) {
    router.get(PATH).handler(this::scrape);
  }

  private void scrape(RoutingContext ctx) {
    if (expected != null && !MessageDigest.isEqual(expected,
        String.valueOf(ctx.request().getHeader(HttpHeaders.AUTHORIZATION)).getBytes(StandardCharsets.UTF_8))) {
      ctx.response().putHeader("WWW-Authenticate", "Bearer");
      ctx.fail(new ApiException(401, "APIGW.0301", "The metrics need the bearer token of metrics.token."));
      return;
    }
    ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")
        .end(metrics.scrape());
  }
}
