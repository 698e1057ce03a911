package io.deskgate.cluster;

import io.deskgate.api.Responses;
import io.deskgate.api.Timestamps;
import io.deskgate.auth.Action;
import io.deskgate.auth.Policy;
import io.deskgate.auth.WorkspaceAccess;
import io.deskgate.store.Database;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;

/**
 * {@code GET /v2/{project_id}/console-sessions} (Deskgate's own, for {@code workspace_admin}): the live
 * console sessions on the project's desktops, on every node of the region.
 */
public final class SessionListRoute {

  private final Database db;
  private final WorkspaceAccess access;
  private final Policy policy;

  public SessionListRoute(Database db, WorkspaceAccess access, Policy policy) {
    this.db = db;
    this.access = access;
    this.policy = policy;
  }

  public void mount(Router router) {
    router.get("/v2/:project_id/console-sessions").handler(ctx -> access.caller(ctx).compose(caller -> {
      policy.require(caller, Action.OPERATE, "console sessions of project " + caller.projectId(), null);
      return db.run(c -> SessionLedger.ofProject(c, caller.projectId()));
    }).onSuccess(entries -> {
      JsonArray sessions = new JsonArray();
      entries.forEach(e -> sessions.add(new JsonObject().put("session_id", e.sessionId()).put("node_id", e.nodeId())
          .put("desktop_id", e.desktopId()).put("user_id", e.userId()).put("opened_at", Timestamps.workspace(e.openedAt()))
          .put("client_address", e.clientAddress()).put("mode", e.mode())));
      Responses.json(ctx, 200, new JsonObject().put("total_count", sessions.size()).put("sessions", sessions));
    }).onFailure(ctx::fail));
  }
}
