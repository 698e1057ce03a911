package io.deskgate.web;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * First handler of every route: gives the request an id (sent back as {@code X-Request-Id}), and
 * writes one access-log line when the response ends: method, path (never the query string, which may
 * carry console tokens), status, duration, caller, client address and user agent. The files of the
 * pages (noVNC's modules, scripts, styles) are logged at DEBUG: a page load fetches dozens.
 */
public final class RequestLog implements Handler<RoutingContext> {

  public static final String REQUEST_ID = "X-Request-Id";
  private static final String KEY = "deskgate.requestId";
  private static final String CALLER_KEY = "deskgate.callerName";
  private static final String CLIENT_KEY = "deskgate.client";
  private static final String ASSET_KEY = "deskgate.asset";
  private static final int MAX_LOGGED = 256;
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

  /**
   * Names the caller in this request's access-log line: the authenticated user, or, on a refused call,
   * who it claimed to be (an access key, a login's user), as far as it was read.
   */
  public static void caller(RoutingContext ctx, String name) {
    ctx.put(CALLER_KEY, loggable(name, false));
  }

  /** Marks the request as one for a page's file, logged at DEBUG. */
  public static void asset(RoutingContext ctx) {
    ctx.put(ASSET_KEY, Boolean.TRUE);
  }

  /**
   * What a client sent, fit for one log line: at most {@value #MAX_LOGGED} characters, no control
   * characters, and (unquoted) no spaces or quotes, so that it cannot forge another field.
   */
  static String loggable(String text, boolean quoted) {
    if (text == null) {
      return "-";
    }
    StringBuilder sb = new StringBuilder(Math.min(text.length(), MAX_LOGGED));
    for (int i = 0; i < text.length() && sb.length() < MAX_LOGGED; i++) {
      char c = text.charAt(i);
      sb.append(Character.isISOControl(c) || c == '"' || (!quoted && c == ' ') ? '_' : c);
    }
    return sb.toString();
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
      boolean asset = ctx.get(ASSET_KEY) != null && (status == 200 || status == 304);
      if (asset ? log.isDebugEnabled() : log.isInfoEnabled()) {
        String line = "req={} {} {} -> {} in {} ms caller={} client={} ua=\"{}\"";
        Object[] fields = {id, ctx.request().method(), ctx.request().path(), answered ? String.valueOf(status) : "closed",
            micros / 1000, ctx.get(CALLER_KEY) == null ? "-" : ctx.get(CALLER_KEY), client,
            loggable(ctx.request().getHeader("User-Agent"), true)};
        if (asset) {
          log.debug(line, fields);
        } else {
          log.info(line, fields);
        }
      }
    });
    ctx.next();
  }

  public static String newId() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    return String.format("%016x%016x", r.nextLong(), r.nextLong());
  }
}
