package io.deskgate.lifecycle;

import io.deskgate.api.ApiException;
import io.deskgate.api.Requests;
import io.deskgate.api.Responses;
import io.deskgate.api.Timestamps;
import io.deskgate.auth.Action;
import io.deskgate.auth.Policy;
import io.deskgate.auth.WorkspaceAccess;
import io.deskgate.desktop.DesktopStore;
import io.deskgate.store.Database;
import io.deskgate.web.RequestLog;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Workspace desktop lifecycle calls, in Huawei's shapes: {@code POST /v2/{project_id}/desktops}
 * (-> {@code {"job_id"}}), {@code DELETE /v2/{project_id}/desktops/{desktop_id}} (204),
 * {@code POST /v2/{project_id}/desktops/action} and {@code GET /v2/{project_id}/workspace-jobs/{job_id}};
 * and Deskgate's own {@code PUT /v2/{project_id}/deskgate/desktops/{desktop_id}/owner} ({@code {"node"}}).
 */
public final class LifecycleRoutes {

  private static final int MAX_DESKTOPS_PER_CALL = 100;
  private static final Logger audit = LoggerFactory.getLogger("deskgate.audit");

  private final Database db;
  private final WorkspaceAccess access;
  private final Policy policy;
  private final Lifecycle lifecycle;
  private final Jobs jobs;

  public LifecycleRoutes(Database db, WorkspaceAccess access, Policy policy, Lifecycle lifecycle, Jobs jobs) {
    this.db = db;
    this.access = access;
    this.policy = policy;
    this.lifecycle = lifecycle;
    this.jobs = jobs;
  }

  public void mount(Router router) {
    router.post("/v2/:project_id/desktops/action").handler(this::action);
    router.post("/v2/:project_id/desktops").handler(this::create);
    router.delete("/v2/:project_id/desktops/:desktop_id").handler(this::delete);
    router.get("/v2/:project_id/workspace-jobs/:job_id").handler(this::job);
    router.put("/v2/:project_id/deskgate/desktops/:desktop_id/owner").handler(this::moveOwner);
  }

  private void moveOwner(RoutingContext ctx) {
    String desktopId = ctx.pathParam("desktop_id");
    access.caller(ctx).compose(caller -> {
      DesktopStore.requireValidId(desktopId);
      String node = text(body(ctx), "node", 64);
      if (!node.matches("[A-Za-z0-9._-]{1,64}")) {
        throw ApiException.badParameter("node must be a node name: 1-64 letters, digits, '.', '_' or '-'.");
      }
      policy.require(caller, Action.SET_OWNER, "desktop " + desktopId, null);
      return lifecycle.moveOwner(caller.projectId(), desktopId, node).onSuccess(d -> audit.info(
          "desktop {} given to owner node {} (SHUTOFF until started there) by user {} ({}) from {}", d.id(), node, caller.userId(), caller.userName(),
          RequestLog.client(ctx)));
    }).onSuccess(d -> Responses.json(ctx, 200, new JsonObject().put("desktop_id", d.id())
        .put("owner_node", d.source().ownerNode()).put("status", d.status()))).onFailure(ctx::fail);
  }

  private void create(RoutingContext ctx) {
    access.caller(ctx).compose(caller -> {
      JsonObject body = body(ctx);
      String product = text(body, "product_id", 64);
      List<Lifecycle.NewDesktop> wanted = newDesktops(body);
      policy.require(caller, Action.CREATE, "desktops of project " + caller.projectId(), null);
      return lifecycle.create(caller.projectId(), product, wanted);
    }).onSuccess(jobId -> Responses.json(ctx, 200, new JsonObject().put("job_id", jobId))).onFailure(ctx::fail);
  }

  private static List<Lifecycle.NewDesktop> newDesktops(JsonObject body) {
    JsonArray list = body.getValue("desktops") instanceof JsonArray a ? a : null;
    if (list == null || list.isEmpty() || list.size() > MAX_DESKTOPS_PER_CALL) {
      throw ApiException.badParameter("desktops must be a list of 1-" + MAX_DESKTOPS_PER_CALL + " desktops.");
    }
    List<Lifecycle.NewDesktop> wanted = new ArrayList<>();
    for (Object item : list) {
      if (!(item instanceof JsonObject d)) {
        throw ApiException.badParameter("each entry of desktops must be an object with user_name.");
      }
      String name = d.getValue("computer_name") == null ? null : text(d, "computer_name", 64);
      if (name != null && !name.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
        throw ApiException.badParameter("computer_name must be letters, digits, '.', '_' or '-'.");
      }
      wanted.add(new Lifecycle.NewDesktop(text(d, "user_name", 64), name));
    }
    return wanted;
  }

  private void delete(RoutingContext ctx) {
    String desktopId = ctx.pathParam("desktop_id");
    access.caller(ctx).compose(caller -> {
      DesktopStore.requireValidId(desktopId);
      policy.require(caller, Action.DELETE, "desktop " + desktopId, null);
      return lifecycle.delete(caller.projectId(), desktopId);
    }).onSuccess(jobId -> ctx.response().setStatusCode(204).end()).onFailure(ctx::fail);
  }

  private void action(RoutingContext ctx) {
    access.caller(ctx).compose(caller -> {
      JsonObject body = body(ctx);
      Lifecycle.Operation op = Lifecycle.Operation.of(text(body, "op_type", 16));
      Object type = body.getValue("type");
      if (type != null && !"SOFT".equals(type) && !"HARD".equals(type)) {
        throw ApiException.badParameter("type must be \"SOFT\" or \"HARD\".");
      }
      JsonArray ids = body.getValue("desktop_ids") instanceof JsonArray a ? a : null;
      if (ids == null || ids.isEmpty() || ids.size() > MAX_DESKTOPS_PER_CALL
          || ids.stream().anyMatch(id -> !(id instanceof String s) || !DesktopStore.ID.matcher(s).matches())) {
        throw ApiException.badParameter("desktop_ids must be a list of 1-" + MAX_DESKTOPS_PER_CALL + " desktop ids.");
      }
      List<String> desktopIds = ids.stream().map(String.class::cast).distinct().toList();
      policy.require(caller, Action.OPERATE, "desktops " + String.join(",", desktopIds), null);
      return lifecycle.act(caller.projectId(), op, "HARD".equals(type), desktopIds);
    }).onSuccess(result -> {
      JsonObject answer = new JsonObject();
      if (result.jobId() != null) {
        answer.put("job_id", result.jobId());
      }
      if (!result.failed().isEmpty()) {
        answer.put("failed_operation_list", result.failed());
      }
      Responses.json(ctx, 200, answer);
    }).onFailure(ctx::fail);
  }

  private void job(RoutingContext ctx) {
    String jobId = ctx.pathParam("job_id");
    access.caller(ctx).compose(caller -> {
      policy.requireAny(caller, Action.GET, "job " + jobId);
      return db.run(c -> jobs.find(c, caller.projectId(), jobId)
          .orElseThrow(() -> new ApiException(404, "WKS.00000404", "The job does not exist.")));
    }).onSuccess(job -> Responses.json(ctx, 200, json(job))).onFailure(ctx::fail);
  }

  private static JsonObject json(Jobs.Job job) {
    JsonArray subJobs = new JsonArray();
    int n = 0;
    for (Object e : job.entities()) {
      JsonObject entity = (JsonObject) e;
      subJobs.add(new JsonObject()
          .put("id", job.id() + "-" + (++n))
          .put("job_type", job.type())
          .put("status", entity.getString("status", job.status()))
          .put("fail_reason", entity.getString("fail_reason"))
          .put("entities", new JsonObject().put("desktop_id", entity.getString("desktop_id"))
              .put("computer_name", entity.getString("computer_name"))));
    }
    return new JsonObject()
        .put("id", job.id())
        .put("job_type", job.type())
        .put("status", job.status())
        .put("begin_time", job.beginTime() == null ? null : Timestamps.workspace(job.beginTime()))
        .put("end_time", job.endTime() == null ? null : Timestamps.workspace(job.endTime()))
        .put("fail_reason", job.failReason())
        .put("sub_jobs_total", subJobs.size())
        .put("sub_jobs", subJobs);
  }

  private static JsonObject body(RoutingContext ctx) {
    return Requests.jsonBody(ctx).orElseThrow(() -> ApiException.badParameter("The request body must be a JSON object."));
  }

  private static String text(JsonObject o, String key, int max) {
    if (o.getValue(key) instanceof String s && !s.isEmpty() && s.length() <= max) {
      return s;
    }
    throw ApiException.badParameter(key + " must be a string of 1-" + max + " characters.");
  }
}
