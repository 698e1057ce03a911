package io.deskgate.cluster;

import io.deskgate.api.ApiException;
import io.deskgate.api.Requests;
import io.deskgate.api.Responses;
import io.deskgate.api.Timestamps;
import io.deskgate.auth.Action;
import io.deskgate.auth.Policy;
import io.deskgate.auth.WorkspaceAccess;
import io.deskgate.store.Database;
import io.deskgate.web.RequestLog;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deskgate's own calls on the region's consoles: {@code GET /v2/{project_id}/console-sessions} (the live
 * ones, on every node), {@code DELETE /v2/{project_id}/console-sessions/{session_id}} (end one, on
 * whichever node holds it) and {@code GET /v2/{project_id}/console-history} (the ended ones).
 */
public final class ConsoleRoutes {

  private static final Logger audit = LoggerFactory.getLogger("deskgate.audit");
  private static final Pattern SESSION_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
  private static final int MAX_LIMIT = 1000;
  private static final int DEFAULT_LIMIT = 100;

  private final Database db;
  private final WorkspaceAccess access;
  private final Policy policy;
  private final ClusterEvents events;

  public ConsoleRoutes(Database db, WorkspaceAccess access, Policy policy, ClusterEvents events) {
    this.db = db;
    this.access = access;
    this.policy = policy;
    this.events = events;
  }

  public void mount(Router router) {
    router.get("/v2/:project_id/console-sessions").handler(this::live);
    router.delete("/v2/:project_id/console-sessions/:session_id").handler(this::end);
    router.get("/v2/:project_id/console-history").handler(this::history);
  }

  private void live(RoutingContext ctx) {
    access.caller(ctx).compose(caller -> {
      policy.require(caller, Action.LIST_CONSOLES, "console sessions of project " + caller.projectId(), null);
      return db.run(c -> SessionLedger.ofProject(c, caller.projectId()));
    }).onSuccess(entries -> {
      JsonArray sessions = new JsonArray();
      entries.forEach(e -> sessions.add(new JsonObject().put("session_id", e.sessionId()).put("node_id", e.nodeId())
          .put("desktop_id", e.desktopId()).put("user_id", e.userId()).put("opened_at", Timestamps.workspace(e.openedAt()))
          .put("client_address", e.clientAddress()).put("user_agent", e.userAgent()).put("mode", e.mode())));
      Responses.json(ctx, 200, new JsonObject().put("total_count", sessions.size()).put("sessions", sessions));
    }).onFailure(ctx::fail);
  }

  private void end(RoutingContext ctx) {
    String sessionId = ctx.pathParam("session_id");
    access.caller(ctx).compose(caller -> {
      String resource = "console session " + sessionId;
      policy.requireAny(caller, Action.END_CONSOLE, resource);
      if (!SESSION_ID.matcher(sessionId).matches()) {
        throw ApiException.badParameter("session_id must be 1-128 letters, digits, '.', '_', ':' or '-'.");
      }
      return db.run(c -> SessionLedger.find(c, caller.projectId(), sessionId)
          .orElseThrow(() -> new ApiException(404, "WKS.00000404", "The console session does not exist.")))
          .map(session -> {
            if (!session.userId().equals(caller.userId())) {
              policy.require(caller, Action.END_CONSOLE, resource, null);
            }
            events.publish(ClusterEvents.Kind.END_SESSION, session.sessionId() + " " + caller.userId());
            audit.info("console session {} on desktop {} (user {}, node {}) ended by user {} ({}) from {}",
                session.sessionId(), session.desktopId(), session.userId(), session.nodeId(), caller.userId(),
                caller.userName(), RequestLog.client(ctx));
            return session;
          });
    }).onSuccess(session -> ctx.response().setStatusCode(204).end()).onFailure(ctx::fail);
  }

  private void history(RoutingContext ctx) {
    MultiMap q = ctx.queryParams();
    access.caller(ctx).compose(caller -> {
      policy.require(caller, Action.CONSOLE_HISTORY, "console history of project " + caller.projectId(), null);
      int limit = Requests.intParam(q, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
      int offset = Requests.intParam(q, "offset", 0, 0, Integer.MAX_VALUE);
      ConsoleHistory.Filter filter = new ConsoleHistory.Filter(Requests.desktopIdParam(q), Requests.userIdParam(q),
          Requests.timeParam(q, "since"), Requests.timeParam(q, "until"));
      return db.run(c -> ConsoleHistory.list(c, caller.projectId(), filter, offset, limit));
    }).onSuccess(page -> {
      JsonArray sessions = new JsonArray();
      page.rows().forEach(r -> sessions.add(new JsonObject().put("session_id", r.sessionId())
          .put("desktop_id", r.desktopId()).put("user_id", r.userId()).put("client_address", r.clientAddress())
          .put("user_agent", r.userAgent()).put("node_id", r.node()).put("mode", r.mode())
          .put("opened_at", Timestamps.workspace(r.openedAt())).put("closed_at", Timestamps.workspace(r.closedAt()))
          .put("duration_seconds", (r.closedAt() - r.openedAt()) / 1000)
          .put("bytes_to_browser", r.bytesToBrowser()).put("bytes_to_desktop", r.bytesToDesktop())
          .put("close_reason", r.closeReason()).put("ended_by", r.endedBy())));
      Responses.json(ctx, 200, new JsonObject().put("total_count", page.total()).put("sessions", sessions));
    }).onFailure(ctx::fail);
  }
}
