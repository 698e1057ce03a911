package io.deskgate.console;

import io.deskgate.api.ApiException;
import io.deskgate.api.Responses;
import io.deskgate.api.Throttle;
import io.deskgate.auth.Action;
import io.deskgate.auth.Authenticator;
import io.deskgate.auth.Policy;
import io.deskgate.desktop.Desktop;
import io.deskgate.desktop.DesktopStore;
import io.deskgate.store.Database;
import io.deskgate.web.Metrics;
import io.deskgate.web.RequestLog;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.regex.Pattern;

/**
 * {@code GET /v2/{project_id}/desktops/{desktop_id}/remote-consoles}: checks the caller, the
 * {@code createConsole} permission and the desktop's state, stores a fresh one-time token and answers
 * {@code {"type":"novnc","url":".../vnc_auto.html?token=...&lang=EN","protocol":"vnc"}}.
 */
public final class RemoteConsoleRoute {

  public static final String PATH = "/v2/:project_id/desktops/:desktop_id/remote-consoles";
  static final Pattern PROJECT_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  private final Database db;
  private final Authenticator authenticator;
  private final Policy policy;
  private final DesktopStore desktops;
  private final ConsoleTokens tokens;
  private final Throttle throttle;
  private final Metrics metrics;
  private final String publicUrl;

  public RemoteConsoleRoute(Database db, Authenticator authenticator, Policy policy, DesktopStore desktops,
                            ConsoleTokens tokens, Throttle throttle, Metrics metrics, String publicUrl) {
    this.db = db;
    this.authenticator = authenticator;
    this.policy = policy;
    this.desktops = desktops;
    this.tokens = tokens;
    this.throttle = throttle;
    this.metrics = metrics;
    this.publicUrl = publicUrl;
  }

  public void mount(Router router) {
    router.get(PATH).handler(this::handle);
  }

  private void handle(RoutingContext ctx) {
    String projectId = ctx.pathParam("project_id");
    String desktopId = ctx.pathParam("desktop_id");
    if (!PROJECT_ID.matcher(projectId).matches()) {
      // e.g. a client that forgot to fill in its project id and sent /v2/%7Bproject_id%7D/...
      ctx.fail(ApiException.noSuchApi());
      return;
    }
    Language lang = Language.of(ctx.request().getHeader("X-Language"), ctx.request().getHeader("Accept-Language"));
    authenticator.authenticate(ctx, projectId)
        .compose(caller -> {
          RequestLog.caller(ctx, caller.display());
          throttle.check("user:" + caller.userId());
          if (!DesktopStore.ID.matcher(desktopId).matches()) {
            throw ApiException.badParameter("desktop_id must be 1-255 characters: letters, digits, '-', '_' or '.'.");
          }
          String resource = "desktop " + desktopId;
          policy.requireAny(caller, Action.CREATE_CONSOLE, resource);
          return db.run(c -> {
            Desktop desktop = desktops.find(c, projectId, desktopId).orElseThrow(ApiException::desktopNotFound);
            policy.require(caller, Action.CREATE_CONSOLE, resource, desktop.userName());
            if (!desktop.acceptsConsoles()) {
              throw ApiException.desktopConflict(desktop.stateForConflict(), "createConsole", desktop.id());
            }
            return tokens.issue(c, desktop, caller.userId());
          });
        })
        .onSuccess(token -> {
          metrics.tokenIssued();
          Responses.json(ctx, 200, new JsonObject()
              .put("type", "novnc")
              .put("url", ConsolePage.url(publicUrl, token, lang))
              .put("protocol", "vnc"));
        })
        .onFailure(ctx::fail);
  }
}
