package io.deskgate.testing;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** The Workspace desktop calls over HTTP with an IAM token, as a client script would make them. */
public final class Workspace {

  private final TestNode node;
  private final String token;
  private final String project;

  public Workspace(TestNode node, String token, String project) {
    this.node = node;
    this.token = token;
    this.project = project;
  }

  public HttpResponse<String> post(String path, JsonObject body) {
    return node.send(node.request("/v2/" + project + path).header("X-Auth-Token", token)
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.encode())));
  }

  /** Any call with a JSON body under the project's path. */
  public HttpResponse<String> send(String method, String path, JsonObject body) {
    return node.send(node.request("/v2/" + project + path).header("X-Auth-Token", token)
        .header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body.encode())));
  }

  public HttpResponse<String> get(String path) {
    return node.send(node.request("/v2/" + project + path).header("X-Auth-Token", token).GET());
  }

  /** Creates desktops of a product; returns the job id. */
  public String create(String product, String user, String... names) {
    JsonArray desktops = new JsonArray();
    for (String name : names) {
      desktops.add(new JsonObject().put("user_name", user).put("computer_name", name));
    }
    HttpResponse<String> r = post("/desktops", new JsonObject().put("product_id", product).put("desktops", desktops));
    if (r.statusCode() != 200) {
      throw new IllegalStateException("create: " + r.statusCode() + " " + r.body());
    }
    return new JsonObject(r.body()).getString("job_id");
  }

  public JsonObject action(String opType, String type, String... desktopIds) {
    HttpResponse<String> r = post("/desktops/action", new JsonObject().put("op_type", opType).put("type", type)
        .put("desktop_ids", new JsonArray(List.of(desktopIds))));
    if (r.statusCode() != 200) {
      throw new IllegalStateException("action: " + r.statusCode() + " " + r.body());
    }
    return new JsonObject(r.body());
  }

  public int delete(String desktopId) {
    return node.send(node.request("/v2/" + project + "/desktops/" + desktopId).header("X-Auth-Token", token)
        .DELETE()).statusCode();
  }

  public JsonObject job(String jobId) {
    return new JsonObject(get("/workspace-jobs/" + jobId).body());
  }

  /** Waits for the job to end; returns it. */
  public JsonObject awaitJob(String jobId, Duration timeout) {
    return until(() -> job(jobId), j -> j.getString("status").equals("SUCCESS") || j.getString("status").equals("FAILED"),
        timeout, "job " + jobId + " to end");
  }

  /** The desktop ids a create job made. */
  public static List<String> createdDesktops(JsonObject job) {
    List<String> ids = new ArrayList<>();
    job.getJsonArray("sub_jobs").forEach(s -> ids.add(((JsonObject) s).getJsonObject("entities").getString("desktop_id")));
    return ids;
  }

  /** The desktop as {@code GET /desktops/{id}} shows it, or null when that answers 404. */
  public JsonObject desktop(String id) {
    HttpResponse<String> r = get("/desktops/" + id);
    return r.statusCode() == 404 ? null : new JsonObject(r.body()).getJsonObject("desktop");
  }

  /** Polls the desktop until {@code state} holds; returns every distinct (status, task_status) seen on the way. */
  public List<String> awaitDesktop(String id, Predicate<JsonObject> state, Duration timeout) {
    List<String> seen = new ArrayList<>();
    until(() -> {
      JsonObject d = desktop(id);
      String label = d == null ? "gone" : d.getString("status") + "/" + d.getString("task_status");
      if (seen.isEmpty() || !seen.get(seen.size() - 1).equals(label)) {
        seen.add(label);
      }
      return d;
    }, d -> state.test(d), timeout, "desktop " + id + " to reach the expected state (seen " + seen + ")");
    return seen;
  }

  public static Predicate<JsonObject> is(String status) {
    return d -> d != null && status.equals(d.getString("status")) && d.getString("task_status").isEmpty();
  }

  public static Predicate<JsonObject> gone() {
    return d -> d == null;
  }

  /** Polls {@code probe} every 100 ms until {@code done} accepts its value. */
  public static <T> T until(java.util.function.Supplier<T> probe, Predicate<T> done, Duration timeout, String what) {
    long deadline = System.nanoTime() + timeout.toNanos();
    T last = probe.get();
    while (!done.test(last)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what + "; last: " + last);
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
      last = probe.get();
    }
    return last;
  }
}
