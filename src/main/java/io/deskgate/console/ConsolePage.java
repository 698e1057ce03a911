package io.deskgate.console;

import io.deskgate.web.PageHeaders;
import io.deskgate.api.ApiException;
import io.deskgate.api.AttemptLimit;
import io.deskgate.api.Requests;
import io.deskgate.api.Responses;
import io.deskgate.web.JarResources;
import io.deskgate.web.Language;
import io.deskgate.web.RequestLog;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import java.util.List;

/**
 * The browser side of a console URL: our page {@code vnc_auto.html} (built on the npm package
 * {@code @novnc/novnc}, served from the jar), its assets, and {@code POST session}, which tells the
 * page whether its token is still good, names the desktop and says whether the console is view-only.
 * No credential of the desktop's ever reaches the page: Deskgate passes the desktop's VNC security
 * itself.
 * The page then opens the WebSocket at {@link io.deskgate.proxy.ConsoleProxy#PATH}.
 */
public final class ConsolePage {

  public static final String BASE = "/vnc/console/";
  public static final String PAGE_PATH = BASE + "vnc_auto.html";
  private static final String CSP = "default-src 'self'; script-src 'self'; connect-src 'self'; "
      + "img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; base-uri 'none'; form-action 'none'; "
      + "frame-ancestors ";

  private final ConsoleTokens tokens;
  private final AttemptLimit attempts;
  private final Buffer page;
  private final String contentSecurityPolicy;
  private final boolean frameable;

  /** {@code frameAncestors}: the pages that may embed the console in a frame; none when empty. */
  public ConsolePage(ConsoleTokens tokens, AttemptLimit attempts, List<String> frameAncestors) {
    this.tokens = tokens;
    this.attempts = attempts;
    this.frameable = !frameAncestors.isEmpty();
    this.contentSecurityPolicy = CSP + (frameable ? String.join(" ", frameAncestors) : "'none'");
    this.page = JarResources.read("web/console/vnc_auto.html");
  }

  /** The console URL that opens {@code token}'s desktop with the page in {@code lang}. */
  public static String url(String publicUrl, String token, Language lang) {
    return publicUrl + PAGE_PATH + "?token=" + token + "&lang=" + lang.tag();
  }

  public void mount(Router router) {
    router.get(BASE + "*").handler(this::pageHeaders);
    router.get(PAGE_PATH).handler(this::page);
    router.post(BASE + "session").handler(this::session);
    router.get(BASE + "*").handler(StaticHandler.create("web/console")
        .setDirectoryListing(false)
        .setMaxAgeSeconds(3600));
  }

  /**
   * Every file under the console's path, ours or noVNC's, carries the page headers: it refuses to be
   * framed by foreign sites unless {@code console.frame_ancestors} allows them.
   */
  private void pageHeaders(RoutingContext ctx) {
    if (!ctx.request().path().equals(PAGE_PATH)) {
      RequestLog.asset(ctx);
    }
    PageHeaders.apply(ctx.response(), contentSecurityPolicy, frameable);
    ctx.next();
  }

  private void page(RoutingContext ctx) {
    ctx.response()
        .putHeader(HttpHeaders.CONTENT_TYPE, "text/html; charset=utf-8")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
        .end(page);
  }

  private void session(RoutingContext ctx) {
    String token = Requests.linkToken(ctx, attempts);
    if (token == null) {
      return;
    }
    String client = RequestLog.client(ctx);
    tokens.peek(token).onSuccess(peeked -> {
      if (peeked.isEmpty()) {
        attempts.refused(client);
        ctx.fail(new ApiException(410, "WKS.00000410", "The console link has expired or has already been used."));
        return;
      }
      attempts.succeeded(client);
      Responses.json(ctx, 200, new JsonObject().put("computer_name", peeked.get().desktop().computerName())
          .put("mode", peeked.get().viewOnly() ? "view" : "full"));
    }).onFailure(ctx::fail);
  }
}
