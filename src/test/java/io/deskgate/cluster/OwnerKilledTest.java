package io.deskgate.cluster;

import static io.deskgate.testing.TestNode.DESKTOP;
import static io.deskgate.testing.TestNode.PROJECT;
import static io.deskgate.testing.Workspace.gone;
import static org.assertj.core.api.Assertions.assertThat;

import io.deskgate.provider.XvncDesktop;
import io.deskgate.testing.ConsoleClient;
import io.deskgate.testing.NodeProcess;
import io.deskgate.testing.PgDatabase;
import io.deskgate.testing.ProcessTable;
import io.deskgate.testing.RfbClient;
import io.deskgate.testing.TestNode;
import io.deskgate.testing.Workspace;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The owner of an xvnc desktop is killed with SIGKILL (a node in a process of its own, on the real
 * PostgreSQL the other node shares): a job on that desktop fails with the reason once the owner's
 * heartbeat is older than {@code cluster.node_timeout_seconds} instead of waiting forever; its console
 * goes to the history as lost; after the desktop is moved to the surviving node, the next job succeeds
 * there; and when the killed node comes back it stops the copy it left running.
 */
class OwnerKilledTest {

  static final Duration WAIT = Duration.ofSeconds(40);
  static final String PRODUCTS = "{small: {geometry: 640x480, depth: 24, command: \"xterm -geometry 80x20+10+10\"}}";

  @TempDir
  Path dir;

  @Test
  void aJobForADeadOwnerFailsWithTheReasonAndRunsOnceTheDesktopIsMoved() throws Exception {
    Map<String, String> common = Map.of(
        "DESKGATE_SECRETS_KEY_FILE", dir.resolve("secret.key").toString(),
        "DESKGATE_PROVIDERS_XVNC_PRODUCTS", PRODUCTS,
        "DESKGATE_PROVIDERS_XVNC_CHECK_INTERVAL_SECONDS", "1",
        "DESKGATE_CLUSTER_NODE_TIMEOUT_SECONDS", "3",
        "DESKGATE_CLUSTER_JOB_POLL_SECONDS", "1");
    String runDirA = dir.resolve("a-xvnc").toString();
    try (PgDatabase pg = PgDatabase.create();
         XvncDesktop screen = XvncDesktop.start(dir.resolve("static"), "owner-killed", null, "320x240")) {
      String yaml = TestNode.standardInventory(screen.port());
      Map<String, String> envA = with(common, "DESKGATE_DB_URL", pg.jdbcUrl(), "DESKGATE_NODE_NAME", "node-a",
          "DESKGATE_PROVIDERS_XVNC_RUN_DIR", runDirA);
      NodeProcess a = NodeProcess.start(dir.resolve("a"), yaml, envA);
      try (TestNode b = TestNode.start(yaml, with(common, "DESKGATE_DB_URL", pg.jdbcUrl(), "DESKGATE_NODE_NAME",
          "node-b", "DESKGATE_PROVIDERS_XVNC_RUN_DIR", dir.resolve("b-xvnc").toString()))) {
        Workspace viaB = new Workspace(b, b.token("alice", "alice-pass-1", PROJECT), PROJECT);
        String tokenA = TestNode.aliceTokenAt(a.baseUrl());
        String jobId = new JsonObject(call(a.baseUrl(), "POST", "/desktops", tokenA, new JsonObject()
            .put("product_id", "small").put("desktops", new JsonArray().add(new JsonObject().put("user_name", "alice")
                .put("computer_name", "owned-by-a")))).body()).getString("job_id");
        String id = Workspace.createdDesktops(viaB.awaitJob(jobId, WAIT)).get(0);
        assertThat(ProcessTable.xvncOf(id)).hasSize(1).allMatch(args -> args.contains(runDirA));
        ConsoleClient console = ConsoleClient.connect(a.baseUrl().replace("http", "ws")
            + "/vnc/console/websockify?token=" + TestNode.consoleTokenAt(a.baseUrl(), tokenA), null, List.of());
        new RfbClient(console).handshake();

        a.kill();
        long killed = System.nanoTime();
        JsonObject stop = viaB.action("os-stop", "HARD", id);
        JsonObject failed = viaB.awaitJob(stop.getString("job_id"), WAIT);
        Duration took = Duration.ofNanos(System.nanoTime() - killed);
        assertThat(failed.getString("status")).isEqualTo("FAILED");
        assertThat(failed.getString("fail_reason")).contains("owner node node-a has sent no heartbeat for 3 s");
        assertThat(took).as("within the node timeout and a poll").isLessThan(Duration.ofSeconds(8));
        // the job ends with its tasks, in one transaction; the desktop is handed back just after
        Workspace.until(() -> viaB.desktop(id).getString("task_status"), String::isEmpty, Duration.ofSeconds(5),
            "the desktop free again");
        JsonObject nodeA = new JsonObject(viaB.get("/deskgate/nodes").body()).getJsonArray("nodes").stream()
            .map(JsonObject.class::cast).filter(n -> n.getString("name").equals("node-a")).findFirst().orElseThrow();
        assertThat(nodeA.getString("status")).isEqualTo("lost");
        JsonObject lostConsole = new JsonObject(viaB.get("/console-history?desktop_id=" + DESKTOP).body())
            .getJsonArray("sessions").getJsonObject(0);
        assertThat(lostConsole.getString("node_id")).isEqualTo("node-a");
        assertThat(lostConsole.getString("close_reason")).isEqualTo("node_lost");
        assertThat(new JsonObject(viaB.get("/console-sessions").body()).getInteger("total_count")).isZero();
        console.close();

        var moved = viaB.send("PUT", "/deskgate/desktops/" + id + "/owner", new JsonObject().put("node", "node-b"));
        assertThat(moved.statusCode()).as(moved.body()).isEqualTo(200);
        assertThat(new JsonObject(moved.body()).getString("status")).isEqualTo("SHUTOFF");
        JsonObject started = viaB.awaitJob(viaB.action("os-start", null, id).getString("job_id"), WAIT);
        assertThat(started.getString("status")).as(started.encodePrettily()).isEqualTo("SUCCESS");
        assertThat(ProcessTable.xvncOf(id)).as("the new owner's copy, and the one the killed node left")
            .hasSize(2).anyMatch(args -> args.contains(runDirA));

        a = NodeProcess.start(dir.resolve("a"), yaml, envA);
        Workspace.until(() -> ProcessTable.xvncOf(id), list -> list.size() == 1, WAIT,
            "the restarted node to stop the copy it no longer owns");
        assertThat(ProcessTable.xvncOf(id)).noneMatch(args -> args.contains(runDirA));
        assertThat(viaB.delete(id)).isEqualTo(204);
        viaB.awaitDesktop(id, gone(), WAIT);
        assertThat(ProcessTable.xvncOf(id)).isEmpty();
      } finally {
        a.close();
        ProcessTable.killXvncUnder(runDirA);
      }
    }
  }

  private static Map<String, String> with(Map<String, String> base, String... pairs) {
    Map<String, String> all = new java.util.HashMap<>(base);
    for (int i = 0; i < pairs.length; i += 2) {
      all.put(pairs[i], pairs[i + 1]);
    }
    return all;
  }

  private static HttpResponse<String> call(String base, String method, String path, String token, JsonObject body)
      throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + "/v2/" + PROJECT + path))
        .header("X-Auth-Token", token).header("Content-Type", "application/json")
        .method(method, HttpRequest.BodyPublishers.ofString(body.encode())).build(), HttpResponse.BodyHandlers.ofString());
  }
}
