package io.deskgate.web;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;

/** Scripts several of Deskgate's pages share (the IAM login of the operator and replay pages), at {@code /common/}. */
public final class CommonPageFiles {

  public static final String BASE = "/common/";

  private CommonPageFiles() {}

  public static void mount(Router router) {
    router.get(BASE + "*").handler(ctx -> {
      RequestLog.asset(ctx);
      PageHeaders.apply(ctx.response(), "default-src 'none'", false);
      ctx.next();
    });
    router.get(BASE + "*").handler(StaticHandler.create("web/common").setDirectoryListing(false)
        .setMaxAgeSeconds(3600));
  }
}
