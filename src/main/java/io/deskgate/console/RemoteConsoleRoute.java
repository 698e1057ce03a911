package io.deskgate.console;

import io.deskgate.api.ApiException;
import io.deskgate.api.Responses;
import io.deskgate.auth.Action;
import io.deskgate.auth.Policy;
import io.deskgate.auth.WorkspaceAccess;
import io.deskgate.desktop.Desktop;
import io.deskgate.desktop.DesktopStore;
import io.deskgate.store.Database;
import io.deskgate.web.Language;
import io.deskgate.web.Metrics;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /v2/{project_id}/desktops/{desktop_id}/remote-consoles}: checks the caller, the
 * {@code createConsole} permission (or, with Deskgate's extension {@code ?console_mode=view}, the
 * {@code viewConsole} permission, for a view-only console bound to the token) and the desktop's state,
 * stores a fresh one-time token and answers
 * {@code {"type":"novnc","url":".../vnc_auto.html?token=...&lang=EN","protocol":"vnc"}}.
 */
public final class RemoteConsoleRoute {

  public static final String PATH = "/v2/:project_id/desktops/:desktop_id/remote-consoles";

  private final Database db;
  private final WorkspaceAccess access;
  private final Policy policy;
  private final DesktopStore desktops;
  private final ConsoleTokens tokens;
  private final Metrics metrics;
  private final String publicUrl;

  public RemoteConsoleRoute(Database db, WorkspaceAccess access, Policy policy, DesktopStore desktops,
                            ConsoleTokens tokens, Metrics metrics, String publicUrl) {
    this.db = db;
    this.access = access;
    this.policy = policy;
    this.desktops = desktops;
    this.tokens = tokens;
    this.metrics = metrics;
    this.publicUrl = publicUrl;
  }

  public void mount(Router router) {
    router.get(PATH).handler(this::handle);
  }

  private void handle(RoutingContext ctx) {
    String desktopId = ctx.pathParam("desktop_id");
    Language lang = Language.of(ctx.request().getHeader("X-Language"), ctx.request().getHeader("Accept-Language"));
    String mode = ctx.request().getParam("console_mode");
    access.caller(ctx)
        .compose(caller -> {
          DesktopStore.requireValidId(desktopId);
          boolean viewOnly = viewOnly(mode);
          Action action = viewOnly ? Action.VIEW_CONSOLE : Action.CREATE_CONSOLE;
          String resource = "desktop " + desktopId;
          policy.requireAny(caller, action, resource);
          String owner = policy.reachesAll(caller, action) ? null : caller.userName();
          return db.run(c -> {
            String token = tokens.issue(c, caller.projectId(), desktopId, owner, caller.userId(), viewOnly);
            if (token != null) {
              return token;
            }
            // not issued: say why
            Desktop desktop = desktops.find(c, caller.projectId(), desktopId).orElseThrow(ApiException::desktopNotFound);
            policy.require(caller, action, resource, desktop.userName());
            throw ApiException.desktopConflict(desktop.stateForConflict(), "createConsole", desktop.id());
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

  /** Deskgate's extension {@code ?console_mode=view|full} (absent: full; the Huawei SDK never sends it). */
  private static boolean viewOnly(String mode) {
    if (mode == null || mode.equals("full")) {
      return false;
    }
    if (mode.equals("view")) {
      return true;
    }
    throw ApiException.badParameter("console_mode must be view or full.");
  }
}
