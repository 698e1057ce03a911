package io.deskgate.api;

import io.deskgate.store.StoreUnavailableException;
import io.deskgate.web.Metrics;
import io.deskgate.web.RequestLog;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The router's failure handler: turns whatever failed into the contract's error format. Expected
 * failures are {@link ApiException}s; the store being down becomes 503; anything else is logged with
 * its stack trace and answered as a bare 500, never with the trace.
 */
public final class ApiErrorHandler implements Handler<RoutingContext> {

  private static final Logger log = LoggerFactory.getLogger(ApiErrorHandler.class);
  private final int maxBodyBytes;
  private final Metrics metrics;

  public ApiErrorHandler(int maxBodyBytes, Metrics metrics) {
    this.maxBodyBytes = maxBodyBytes;
    this.metrics = metrics;
  }

  @Override
  public void handle(RoutingContext ctx) {
    ApiException error = classify(ctx);
    if (error.authFailure() != null) {
      metrics.authenticationFailed(error.authFailure());
    } else if (error.status() == 429) {
      metrics.throttled();
    }
    respond(ctx, error);
  }

  public static void respond(RoutingContext ctx, ApiException error) {
    if (ctx.response().ended() || ctx.response().closed()) {
      return;
    }
    ctx.response()
        .setStatusCode(error.status())
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(error.body(RequestLog.id(ctx)).encode());
  }

  private ApiException classify(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    if (failure instanceof ApiException api) {
      return api;
    }
    String id = RequestLog.id(ctx);
    if (failure instanceof StoreUnavailableException down) {
      log.warn("req={} {} {}: {}", id, ctx.request().method(), ctx.request().path(), down.getMessage());
      return ApiException.storeUnavailable();
    }
    if (failure == null || failure instanceof HttpException) {
      int status = failure instanceof HttpException http ? http.getStatusCode() : ctx.statusCode();
      switch (status) {
        case 404, 405:
          return ApiException.noSuchApi();
        case 413:
          return ApiException.bodyTooLarge(maxBodyBytes);
        case 400:
          return ApiException.badParameter("The request is malformed.");
        default:
          if (status >= 400 && status < 500) {
            return ApiException.httpFault(status, "The request was refused (HTTP " + status + ").");
          }
          break;
      }
    }
    log.error("req={} {} {}: internal error (status {})", id, ctx.request().method(), ctx.request().path(),
        ctx.statusCode(), failure);
    return ApiException.internal();
  }
}
