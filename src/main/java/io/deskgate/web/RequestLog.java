package io.deskgate.web;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * First handler of every route: gives the request an id (sent back as {@code X-Request-Id}), and
 * writes one access-log line when the response ends. Logs the path only, never the query string,
 * which may carry console tokens.
 */
public final class RequestLog implements Handler<RoutingContext> {

  public static final String REQUEST_ID = "X-Request-Id";
  private static final String KEY = "deskgate.requestId";
  private static final String CALLER_KEY = "deskgate.callerName";
  private static final String CLIENT_KEY = "deskgate.client";
  private static final Logger log = LoggerFactory.getLogger("deskgate.http");

  private final Metrics metrics;
  private final ClientAddresses clients;

  public RequestLog(Metrics metrics, ClientAddresses clients) {
    this.metrics = metrics;
    this.clients = clients;
  }

  /** The client's address ({@link ClientAddresses}): for throttles, logs and the session list. */
  public static String client(RoutingContext ctx) {
    String client = ctx.get(CLIENT_KEY);
    return client == null ? "-" : client;
  }

  public static String id(RoutingContext ctx) {
    String id = ctx.get(KEY);
    return id == null ? "-" : id;
  }

  /** Names the authenticated caller in this request's access-log line. */
  public static void caller(RoutingContext ctx, String name) {
    ctx.put(CALLER_KEY, name);
  }

  @Override
  public void handle(RoutingContext ctx) {
    String id = newId();
    ctx.put(KEY, id);
    String client = clients.of(ctx.request());
    ctx.put(CLIENT_KEY, client);
    ctx.response().putHeader(REQUEST_ID, id);
    long start = System.nanoTime();
    ctx.addEndHandler(done -> {
      boolean answered = ctx.response().ended();
      int status = answered ? ctx.response().getStatusCode() : 0;
      long micros = (System.nanoTime() - start) / 1000;
      String route = ctx.currentRoute() == null || ctx.currentRoute().getPath() == null
          ? "other" : ctx.currentRoute().getPath();
      metrics.httpRequest(ctx.request().method().name(), route, status, micros);
      log.info("req={} {} {} -> {} in {} ms caller={} client={}", id, ctx.request().method(), ctx.request().path(),
          answered ? String.valueOf(status) : "closed", micros / 1000,
          ctx.get(CALLER_KEY) == null ? "-" : ctx.get(CALLER_KEY), client);
    });
    ctx.next();
  }

  public static String newId() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    return String.format("%016x%016x", r.nextLong(), r.nextLong());
  }
}
