package io.deskgate.recording;

import io.deskgate.api.ApiException;
import io.deskgate.api.Requests;
import io.deskgate.api.Responses;
import io.deskgate.api.Timestamps;
import io.deskgate.auth.Action;
import io.deskgate.auth.Caller;
import io.deskgate.auth.Policy;
import io.deskgate.auth.WorkspaceAccess;
import io.deskgate.store.Database;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /v2/{project_id}/console-recordings} (the project's recordings, newest first, with
 * filters, in Huawei's list style) and {@code GET /v2/{project_id}/console-recordings/{recording_id}}.
 */
public final class RecordingRoutes {

  private static final int MAX_LIMIT = 1000;
  private static final int DEFAULT_LIMIT = 100;

  private final Database db;
  private final WorkspaceAccess access;
  private final Policy policy;

  public RecordingRoutes(Database db, WorkspaceAccess access, Policy policy) {
    this.db = db;
    this.access = access;
    this.policy = policy;
  }

  public void mount(Router router) {
    router.get("/v2/:project_id/console-recordings").handler(this::list);
    router.get("/v2/:project_id/console-recordings/:recording_id").handler(this::one);
  }

  private void list(RoutingContext ctx) {
    MultiMap q = ctx.queryParams();
    access.caller(ctx).compose(caller -> {
      policy.require(caller, Action.LIST_RECORDINGS, "console recordings of project " + caller.projectId(), null);
      int limit = Requests.intParam(q, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
      int offset = Requests.intParam(q, "offset", 0, 0, Integer.MAX_VALUE);
      RecordingCatalog.Filter filter = new RecordingCatalog.Filter(Requests.desktopIdParam(q),
          Requests.userIdParam(q), Requests.timeParam(q, "since"), Requests.timeParam(q, "until"));
      return db.run(c -> RecordingCatalog.list(c, caller.projectId(), filter, offset, limit));
    }).onSuccess(page -> {
      JsonArray recordings = new JsonArray();
      page.entries().forEach(e -> recordings.add(json(e)));
      Responses.json(ctx, 200, new JsonObject().put("total_count", page.total()).put("recordings", recordings));
    }).onFailure(ctx::fail);
  }

  private void one(RoutingContext ctx) {
    access.caller(ctx).compose(caller -> recording(ctx, db, policy, caller, Action.LIST_RECORDINGS))
        .onSuccess(e -> Responses.json(ctx, 200, new JsonObject().put("recording", json(e)))).onFailure(ctx::fail);
  }

  /** The path's recording of the caller's project, for {@code action}; else 403, 400 or 404. */
  static Future<RecordingCatalog.Entry> recording(RoutingContext ctx, Database db, Policy policy, Caller caller,
                                                  Action action) {
    String id = ctx.pathParam("recording_id");
    policy.require(caller, action, "console recording " + id, null);
    if (!id.matches("[0-9a-f-]{36}")) {
      throw ApiException.badParameter("recording_id must be a recording's id (a UUID).");
    }
    return db.run(c -> RecordingCatalog.find(c, caller.projectId(), id)
        .orElseThrow(() -> new ApiException(404, "WKS.00000404", "The console recording does not exist.")));
  }

  private static JsonObject json(RecordingCatalog.Entry e) {
    return new JsonObject().put("recording_id", e.id()).put("session_id", e.sessionId())
        .put("desktop_id", e.desktopId()).put("user_id", e.userId()).put("node_id", e.node())
        .put("status", e.status()).put("keys_recorded", e.keysRecorded())
        .put("started_at", Timestamps.workspace(e.startedAt()))
        .put("ended_at", e.endedAt() == null ? null : Timestamps.workspace(e.endedAt()))
        .put("size_bytes", e.sizeBytes()).put("close_reason", e.closeReason());
  }
}
