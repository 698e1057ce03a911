package io.deskgate.desktop;

import io.deskgate.api.ApiException;
import io.deskgate.api.Requests;
import io.deskgate.api.Responses;
import io.deskgate.api.Timestamps;
import io.deskgate.auth.Action;
import io.deskgate.auth.Policy;
import io.deskgate.auth.WorkspaceAccess;
import io.deskgate.cluster.SessionLedger;
import io.deskgate.store.Database;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Set;

/**
 * The Workspace desktop reads, in Huawei's shapes: {@code GET /v2/{project_id}/desktops/{desktop_id}},
 * {@code GET /v2/{project_id}/desktops} and {@code GET /v2/{project_id}/desktops/detail}. Where a
 * desktop's console lives is never shown. Unknown query parameters are ignored; bad values answer 400.
 */
public final class DesktopRoutes {

  private static final int MAX_LIMIT = 1000;

  private final Database db;
  private final WorkspaceAccess access;
  private final Policy policy;
  private final DesktopStore desktops;

  public DesktopRoutes(Database db, WorkspaceAccess access, Policy policy, DesktopStore desktops) {
    this.db = db;
    this.access = access;
    this.policy = policy;
    this.desktops = desktops;
  }

  /** Desktops with the ids of those that have a console open on some node (their login status). */
  private record Shown(List<Desktop> desktops, Set<String> connected, long total) {}

  public void mount(Router router) {
    router.get("/v2/:project_id/desktops").handler(ctx -> list(ctx, false));
    router.get("/v2/:project_id/desktops/detail").handler(ctx -> list(ctx, true));
    router.get("/v2/:project_id/desktops/:desktop_id").handler(this::show);
  }

  private void show(RoutingContext ctx) {
    String desktopId = ctx.pathParam("desktop_id");
    access.caller(ctx).compose(caller -> {
      DesktopStore.requireValidId(desktopId);
      String resource = "desktop " + desktopId;
      policy.requireAny(caller, Action.GET, resource);
      return db.run(c -> {
        Desktop d = desktops.find(c, caller.projectId(), desktopId).orElseThrow(ApiException::desktopNotFound);
        policy.require(caller, Action.GET, resource, d.userName());
        return new Shown(List.of(d), SessionLedger.connected(c, List.of(d.id())), 1);
      });
    }).onSuccess(shown -> Responses.json(ctx, 200,
            new JsonObject().put("desktop", detail(shown.desktops().get(0), shown.connected()))))
        .onFailure(ctx::fail);
  }

  private void list(RoutingContext ctx, boolean detailed) {
    MultiMap q = ctx.queryParams();
    access.caller(ctx).compose(caller -> {
      int limit = Requests.intParam(q, "limit", MAX_LIMIT, 0, MAX_LIMIT);
      int offset = Requests.intParam(q, "offset", 0, 0, Integer.MAX_VALUE);
      DesktopStore.Filter filter = new DesktopStore.Filter(q.get("computer_name"), q.get("status"),
          values(q, "user_name", "user_names"), values(q, "desktop_id"));
      policy.require(caller, Action.LIST, "desktops of project " + caller.projectId(), null);
      return db.run(c -> {
        DesktopStore.Page page = desktops.list(c, caller.projectId(), filter, offset, limit);
        return new Shown(page.desktops(),
            SessionLedger.connected(c, page.desktops().stream().map(Desktop::id).toList()), page.total());
      });
    }).onSuccess(shown -> {
      JsonArray items = new JsonArray();
      shown.desktops().forEach(d -> items.add(detailed ? detail(d, shown.connected()) : summary(d, shown.connected())));
      Responses.json(ctx, 200, new JsonObject().put("total_count", shown.total()).put("desktops", items));
    }).onFailure(ctx::fail);
  }

  private static JsonObject summary(Desktop d, Set<String> connected) {
    return new JsonObject()
        .put("desktop_id", d.id())
        .put("computer_name", d.computerName())
        .put("created", Timestamps.workspace(d.createdAt()))
        .put("ip_address", d.ipAddresses().isEmpty() ? "" : d.ipAddresses().get(0))
        .put("user_name", d.userName())
        .put("status", d.status())
        .put("task_status", d.taskStatus())
        .put("login_status", loginStatus(d, connected))
        .put("enterprise_project_id", "0");
  }

  private static JsonObject detail(Desktop d, Set<String> connected) {
    return summary(d, connected)
        .put("ip_addresses", new JsonArray(d.ipAddresses()))
        .put("metadata", new JsonObject(new java.util.TreeMap<String, Object>(d.metadata())))
        .put("user_list", d.userName().isEmpty() ? new JsonArray() : new JsonArray().add(d.userName()));
  }

  /** {@code CONNECTED} while a console is open, {@code REGISTERED} when running, else {@code UNREGISTER}. */
  private static String loginStatus(Desktop d, Set<String> connected) {
    if (!Desktop.ACTIVE.equals(d.status())) {
      return "UNREGISTER";
    }
    return connected.contains(d.id()) ? "CONNECTED" : "REGISTERED";
  }

  private static List<String> values(MultiMap q, String... names) {
    return java.util.Arrays.stream(names).flatMap(n -> q.getAll(n).stream())
        .flatMap(v -> java.util.Arrays.stream(v.split(","))).map(String::trim).filter(v -> !v.isEmpty()).toList();
  }
}
