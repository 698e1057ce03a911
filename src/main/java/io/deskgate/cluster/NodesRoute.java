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

/** {@code GET /v2/{project_id}/deskgate/nodes}: the region's nodes, as their heartbeats left them. */
public final class NodesRoute {

  private final Database db;
  private final WorkspaceAccess access;
  private final Policy policy;

  public NodesRoute(Database db, WorkspaceAccess access, Policy policy) {
    this.db = db;
    this.access = access;
    this.policy = policy;
  }

  public void mount(Router router) {
    router.get("/v2/:project_id/deskgate/nodes").handler(ctx -> access.caller(ctx).compose(caller -> {
      policy.require(caller, Action.LIST_NODES, "nodes of the region", null);
      return db.run(NodeRegistry::all);
    }).onSuccess(nodes -> {
      JsonArray list = new JsonArray();
      nodes.forEach(n -> list.add(new JsonObject().put("name", n.name()).put("address", n.address())
          .put("version", n.version()).put("status", n.status()).put("draining", n.draining())
          .put("live_sessions", n.liveSessions()).put("started_at", Timestamps.workspace(n.startedAt()))
          .put("heartbeat_at", Timestamps.workspace(n.heartbeatAt()))));
      Responses.json(ctx, 200, new JsonObject().put("total_count", list.size()).put("nodes", list));
    }).onFailure(ctx::fail));
  }
}
