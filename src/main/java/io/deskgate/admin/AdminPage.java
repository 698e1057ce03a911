package io.deskgate.admin;

import io.deskgate.web.PageHeaders;
import io.deskgate.web.RequestLog;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;

/**
 * The operator's page, {@code /admin/}: plain HTML and a little JavaScript served from the jar, which
 * logs in with the IAM password login and then uses Deskgate's own API (live consoles with "End", their
 * history, recordings, nodes). It holds no logic of its own and no rights beyond the user's: the API
 * checks every call. It may not be framed, and loads nothing from elsewhere.
 */
public final class AdminPage {

  public static final String BASE = "/admin/";
  private static final String CSP = "default-src 'self'; script-src 'self'; connect-src 'self'; style-src 'self'; "
      + "img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

  public void mount(Router router) {
    // Vert.x matches "/admin" for "/admin/" too: only the bare path is sent to the page's directory
    router.get("/admin").handler(ctx -> {
      if (ctx.request().path().equals("/admin")) {
        ctx.redirect(BASE);
      } else {
        ctx.next();
      }
    });
    router.get(BASE + "*").handler(ctx -> {
      if (!ctx.request().path().equals(BASE) && !ctx.request().path().endsWith(".html")) {
        RequestLog.asset(ctx);
      }
      PageHeaders.apply(ctx.response(), CSP, false).putHeader(HttpHeaders.CACHE_CONTROL, "no-store");
      ctx.next();
    });
    router.get(BASE + "*").handler(StaticHandler.create("web/admin").setDirectoryListing(false)
        .setCachingEnabled(false).setIndexPage("index.html"));
  }
}
