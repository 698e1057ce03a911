package io.deskgate.lifecycle;

import static io.deskgate.testing.TestNode.PROJECT;
import static io.deskgate.testing.Workspace.gone;
import static io.deskgate.testing.Workspace.is;
import static org.assertj.core.api.Assertions.assertThat;

import io.deskgate.desktop.Desktop;
import io.deskgate.testing.ConsoleClient;
import io.deskgate.testing.ProcessTable;
import io.deskgate.testing.RfbClient;
import io.deskgate.testing.ScriptedRfb;
import io.deskgate.testing.TestNode;
import io.deskgate.testing.Workspace;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Desktops Deskgate runs itself (the xvnc provider), driven through the Workspace API against real
 * TigerVNC processes: create, stop, start, reboot, delete with their statuses; a console closed by a
 * stop; a killed Xvnc detected and restarted; a Deskgate restart that re-adopts and leaves no orphan.
 */
class XvncDesktopsTest {

  static final Duration WAIT = Duration.ofSeconds(30);
  static final String PRODUCTS = "{small: {geometry: 640x480, depth: 24, command: \"xterm -geometry 80x20+10+10\"}}";

  TestNode node;
  /** The first node's directory: its store, secrets key and xvnc run dir outlive restarts. */
  Path home;

  TestNode start(Map<String, String> extra) {
    Map<String, String> env = new java.util.HashMap<>(Map.of(
        "DESKGATE_PROVIDERS_XVNC_PRODUCTS", PRODUCTS,
        "DESKGATE_PROVIDERS_XVNC_CHECK_INTERVAL_SECONDS", "1",
        "DESKGATE_NODE_NAME", "node-a"));
    env.putAll(extra);
    node = TestNode.start(TestNode.standardInventory(5999), env);
    home = node.dir();
    return node;
  }

  @AfterEach
  void stop() throws IOException {
    if (node != null) {
      Workspace ws = admin();
      for (String id : xvncDesktops()) {
        ws.delete(id);
        ws.awaitDesktop(id, gone(), WAIT);
      }
      node.close();
    }
  }

  Workspace admin() {
    return new Workspace(node, node.token("alice", "alice-pass-1", PROJECT), PROJECT);
  }

  List<String> xvncDesktops() {
    return node.node().database().runNow(c -> io.deskgate.store.Sql.list(c,
        "SELECT id FROM desktops WHERE provider = 'xvnc'", rs -> rs.getString(1)));
  }

  Path runDir(String desktopId) {
    return home.resolve("xvnc").resolve(desktopId);
  }

  long xvncPid(String desktopId) throws IOException {
    return new JsonObject(Files.readString(runDir(desktopId).resolve("state.json"))).getLong("xvnc_pid");
  }

  static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }

  /**
   * Opens a console on the desktop through the API and the proxy, as the page does: the session call
   * names the desktop and hands out no credential; Deskgate passes the desktop's VNC Authentication.
   */
  RfbClient.ServerInit openConsole(Workspace ws, String desktopId, ConsoleClient[] holder) {
    JsonObject answer = new JsonObject(ws.get("/desktops/" + desktopId + "/remote-consoles").body());
    String token = TestNode.tokenOf(answer.getString("url"));
    JsonObject session = new JsonObject(node.send(node.request("/vnc/console/session")
        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(new JsonObject().put("token", token).encode()))).body());
    assertThat(session.fieldNames()).containsExactlyInAnyOrder("computer_name", "mode");
    ConsoleClient client = ConsoleClient.connect(ConsoleClient.urlWithToken(node, token), null, List.of());
    holder[0] = client;
    return new RfbClient(client).handshake();
  }

  @Test
  void withX509TheDesktopRequiresTlsFromDeskgatesOwnCaAndTheConsoleStillOpens() throws Exception {
    start(Map.of("DESKGATE_PROVIDERS_XVNC_SECURITY", "x509"));
    Workspace ws = admin();
    JsonObject job = ws.awaitJob(ws.create("small", "alice", "xv-tls"), WAIT);
    assertThat(job.getString("status")).as(job.encodePrettily()).isEqualTo("SUCCESS");
    String id = Workspace.createdDesktops(job).get(0);
    ConsoleClient[] console = new ConsoleClient[1];
    try {
      assertThat(openConsole(ws, id, console).name()).isEqualTo("xv-tls");
    } finally {
      console[0].close();
    }
    Desktop.ConsoleEndpoint endpoint = node.node().database().runNow(c -> node.node().desktops().find(c, id)
        .orElseThrow()).console();
    assertThat(endpoint.security()).isEqualTo(io.deskgate.rfb.SecurityMode.VENCRYPT);
    assertThat(endpoint.tls().caFile()).isEqualTo(home.resolve("xvnc/ca/ca.pem").toString());
    assertThat(java.nio.file.Files.getPosixFilePermissions(home.resolve("xvnc/ca/ca.key")))
        .containsExactlyInAnyOrder(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
            java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
    assertThat(ScriptedRfb.securityTypesOffered(endpoint.port())).as("Xvnc offers VeNCrypt only")
        .containsExactly(19);
  }

  @Test
  void desktopsTakeTheirDisplayAndPortWithinTheConfiguredRanges() {
    int base = TestNode.closedPort();
    start(Map.of("DESKGATE_PROVIDERS_XVNC_DISPLAYS", "700-709", "DESKGATE_PROVIDERS_XVNC_PORTS",
        base + "-" + (base + 9)));
    Workspace ws = admin();
    String id = Workspace.createdDesktops(ws.awaitJob(ws.create("small", "alice", "xv-range"), WAIT)).get(0);
    List<String> xvnc = ProcessTable.xvncOf(id);
    assertThat(xvnc).hasSize(1);
    java.util.regex.Matcher m = java.util.regex.Pattern.compile(":(\\d+) -rfbport (\\d+)").matcher(xvnc.get(0));
    assertThat(m.find()).as(xvnc.get(0)).isTrue();
    assertThat(Integer.parseInt(m.group(1))).isBetween(700, 709);
    assertThat(Integer.parseInt(m.group(2))).isBetween(base, base + 9);
    Desktop stored = node.node().database().runNow(c -> node.node().desktops().find(c, id)).orElseThrow();
    assertThat(stored.console().port()).isEqualTo(Integer.parseInt(m.group(2)));
  }

  @Test
  void operationsBeyondTheOperationQueueFailAtOnceInsteadOfWaiting() {
    start(Map.of("DESKGATE_PROVIDERS_OPERATION_THREADS", "1", "DESKGATE_PROVIDERS_OPERATION_QUEUE_LIMIT", "1"));
    Workspace ws = admin();
    JsonObject job = ws.awaitJob(ws.create("small", "alice", "xv-q1", "xv-q2", "xv-q3"), WAIT);
    assertThat(job.getString("status")).as(job.encodePrettily()).isEqualTo("FAILED");
    assertThat(job.getString("fail_reason")).contains("too many desktop operations in progress");
    long succeeded = job.getJsonArray("sub_jobs").stream()
        .filter(s -> "SUCCESS".equals(((JsonObject) s).getString("status"))).count();
    assertThat(succeeded).as("one running and one queued were done").isEqualTo(2);
  }

  @Test
  void aDesktopIsCreatedStoppedStartedRebootedAndDeletedThroughTheApi() throws Exception {
    start(Map.of());
    Workspace ws = admin();
    JsonObject job = ws.awaitJob(ws.create("small", "alice", "xv-life"), WAIT);
    assertThat(job.getString("status")).as(job.encodePrettily()).isEqualTo("SUCCESS");
    assertThat(job.getString("job_type")).isEqualTo("createDesktop");
    String id = Workspace.createdDesktops(job).get(0);
    JsonObject created = ws.desktop(id);
    assertThat(created.getString("computer_name")).isEqualTo("xv-life");
    assertThat(node.get("/metrics").body())
        .contains("deskgate_job_tasks_total{operation=\"createDesktop\",result=\"succeeded\"} 1.0");
    assertThat(created.getString("user_name")).isEqualTo("alice");
    assertThat(created.getString("status")).isEqualTo("ACTIVE");
    assertThat(created.getString("login_status")).isEqualTo("REGISTERED");
    ConsoleClient[] console = new ConsoleClient[1];
    assertThat(openConsole(ws, id, console).width()).isEqualTo(640);
    Workspace.until(() -> ws.desktop(id).getString("login_status"), "CONNECTED"::equals, WAIT,
        "login_status once the console is open");

    String unusedUrl = new JsonObject(ws.get("/desktops/" + id + "/remote-consoles").body()).getString("url");
    String stopJob = ws.action("os-stop", "SOFT", id).getString("job_id");
    ConsoleClient.Close closed = console[0].awaitClose(WAIT);
    assertThat(closed.code()).isEqualTo((short) 4410);
    assertThat(closed.reason()).isEqualTo("desktop stopped");
    assertThat(ws.awaitJob(stopJob, WAIT).getString("status")).isEqualTo("SUCCESS");
    JsonObject stopped = ws.desktop(id);
    assertThat(stopped.getString("status")).isEqualTo("SHUTOFF");
    assertThat(stopped.getString("task_status")).isEmpty();
    assertThat(stopped.getString("login_status")).isEqualTo("UNREGISTER");
    long oldPid = new JsonObject(Files.readString(runDir(id).resolve("state.json"))).getLong("xvnc_pid");
    assertThat(alive(oldPid)).isFalse();
    RemoteConsoleConflict.assertConflict(ws.get("/desktops/" + id + "/remote-consoles"), "SHUTOFF");

    assertThat(ws.awaitJob(ws.action("os-start", "SOFT", id).getString("job_id"), WAIT).getString("status"))
        .isEqualTo("SUCCESS");
    assertThat(ws.desktop(id).getString("status")).isEqualTo("ACTIVE");
    try (ConsoleClient stale = ConsoleClient.connect(ConsoleClient.urlWithToken(node, TestNode.tokenOf(unusedUrl)), null,
        List.of())) {
      assertThat(stale.awaitClose(WAIT).code()).as("a URL issued before the stop was voided by it").isEqualTo((short) 4401);
    }
    long startedPid = xvncPid(id);
    assertThat(alive(startedPid)).isTrue();
    assertThat(openConsole(ws, id, console).name()).isEqualTo("xv-life");
    console[0].close();

    assertThat(ws.awaitJob(ws.action("reboot", "HARD", id).getString("job_id"), WAIT).getString("job_type"))
        .isEqualTo("rebootDesktop");
    assertThat(ws.desktop(id).getString("status")).isEqualTo("ACTIVE");
    assertThat(xvncPid(id)).isNotEqualTo(startedPid);
    assertThat(alive(startedPid)).isFalse();

    long beforeDelete = xvncPid(id);
    assertThat(ws.delete(id)).isEqualTo(204);
    ws.awaitDesktop(id, gone(), WAIT);
    assertThat(alive(beforeDelete)).isFalse();
    assertThat(runDir(id)).doesNotExist();
  }

  @Test
  void startingARunningDesktopOrStoppingAStoppedOneChangesNothingAndBusyOnesAreRefused() {
    start(Map.of());
    Workspace ws = admin();
    String id = Workspace.createdDesktops(ws.awaitJob(ws.create("small", "alice", "xv-idem"), WAIT)).get(0);
    JsonObject noop = ws.action("os-start", "SOFT", id);
    assertThat(noop.containsKey("job_id")).isFalse();
    assertThat(noop.containsKey("failed_operation_list")).isFalse();
    JsonObject mixed = ws.action("os-stop", "HARD", id, "no-such-desktop", TestNode.DESKTOP);
    assertThat(mixed.getString("job_id")).isNotNull();
    assertThat(mixed.getJsonArray("failed_operation_list")).hasSize(2);
    JsonObject unknown = mixed.getJsonArray("failed_operation_list").getJsonObject(0);
    assertThat(unknown.getString("desktop_id")).isEqualTo("no-such-desktop");
    assertThat(unknown.getString("error_code")).isEqualTo("WKS.00000404");
    JsonObject unsupported = mixed.getJsonArray("failed_operation_list").getJsonObject(1);
    assertThat(unsupported.getString("error_code")).isEqualTo("WKS.00000501");
    assertThat(unsupported.getString("error_msg")).isEqualTo("os-stop is not supported by provider static");
    ws.awaitJob(mixed.getString("job_id"), WAIT);
  }

  @Test
  void aKilledXvncIsDetectedAndRestarted() throws Exception {
    start(Map.of());
    Workspace ws = admin();
    String id = Workspace.createdDesktops(ws.awaitJob(ws.create("small", "alice", "xv-crash"), WAIT)).get(0);
    long pid = xvncPid(id);
    ProcessHandle.of(pid).orElseThrow().destroyForcibly();
    Workspace.until(() -> {
      try {
        return xvncPid(id);
      } catch (IOException e) {
        return pid;
      }
    }, p -> p != pid && alive(p), WAIT, "a new Xvnc for " + id);
    ws.awaitDesktop(id, is("ACTIVE"), WAIT);
    ConsoleClient[] console = new ConsoleClient[1];
    assertThat(openConsole(ws, id, console).name()).isEqualTo("xv-crash");
    console[0].close();
  }

  @Test
  void withRestartNeverAKilledXvncLeavesTheDesktopInError() throws Exception {
    start(Map.of("DESKGATE_PROVIDERS_XVNC_RESTART", "never"));
    Workspace ws = admin();
    String id = Workspace.createdDesktops(ws.awaitJob(ws.create("small", "alice", "xv-never"), WAIT)).get(0);
    ProcessHandle.of(xvncPid(id)).orElseThrow().destroyForcibly();
    ws.awaitDesktop(id, is("ERROR"), WAIT);
    RemoteConsoleConflict.assertConflict(ws.get("/desktops/" + id + "/remote-consoles"), "ERROR");
  }

  /** Stops this node, runs {@code whileDown} on its store, and starts it again on the same store and run dir. */
  void restart(String whileDown) throws Exception {
    Path dir = home;
    String db = "jdbc:h2:file:" + dir.resolve("db").toAbsolutePath();
    node.close();
    if (whileDown != null) {
      try (var c = java.sql.DriverManager.getConnection(db); var st = c.createStatement()) {
        st.execute(whileDown);
      }
    }
    node = TestNode.start(TestNode.standardInventory(5999), Map.of("DESKGATE_PROVIDERS_XVNC_PRODUCTS", PRODUCTS,
        "DESKGATE_NODE_NAME", "node-a", "DESKGATE_DB_URL", db,
        "DESKGATE_SECRETS_KEY_FILE", dir.resolve("secret.key").toString(),
        "DESKGATE_PROVIDERS_XVNC_RUN_DIR", dir.resolve("xvnc").toString()));
  }

  @Test
  void aDeskgateRestartReadoptsRunningDesktopsAndLeavesNoOrphan() throws Exception {
    start(Map.of());
    Workspace ws = admin();
    List<String> ids = Workspace.createdDesktops(ws.awaitJob(ws.create("small", "alice", "xv-keep", "xv-drop", "xv-off"),
        WAIT));
    String keep = ids.get(0);
    String drop = ids.get(1);
    String off = ids.get(2);
    ws.awaitJob(ws.action("os-stop", "HARD", off).getString("job_id"), WAIT);
    long keepPid = xvncPid(keep);
    long dropPid = xvncPid(drop);
    // while Deskgate is down, a desktop is removed from the store behind its back
    restart("DELETE FROM desktops WHERE id = '" + drop + "'");
    ws = admin();
    assertThat(alive(keepPid)).as("desktops outlive Deskgate").isTrue();
    assertThat(xvncPid(keep)).as("re-adopted, not restarted").isEqualTo(keepPid);
    assertThat(ws.desktop(keep).getString("status")).isEqualTo("ACTIVE");
    assertThat(alive(dropPid)).as("the orphan is stopped").isFalse();
    assertThat(runDir(drop)).doesNotExist();
    assertThat(ws.desktop(off).getString("status")).isEqualTo("SHUTOFF");
    ConsoleClient[] console = new ConsoleClient[1];
    assertThat(openConsole(ws, keep, console).name()).isEqualTo("xv-keep");
    console[0].close();
  }

  @Test
  void aJobInterruptedByARestartEndsFailedNeverStuckRunning() throws Exception {
    start(Map.of());
    Workspace ws = admin();
    String id = Workspace.createdDesktops(ws.awaitJob(ws.create("small", "alice", "xv-intr"), WAIT)).get(0);
    // recorded for a node that never claims it, so that it waits until the restart below
    String jobId = node.node().database().runNow(c -> new Jobs().create(c, PROJECT, "stopDesktop",
        List.of(new Jobs.NewTask(id, new JsonObject(), "nobody", null)), "node-a", 10).jobId());
    // as a node that died in the middle of the job leaves it
    restart("UPDATE jobs SET status = 'RUNNING' WHERE id = '" + jobId + "'; "
        + "UPDATE job_tasks SET status = 'RUNNING', run_on = 'node-a', claimed_by = 'node-a' WHERE job_id = '" + jobId
        + "'; UPDATE desktops SET task_status = 'powering-off' WHERE id = '" + id + "'");
    ws = admin();
    JsonObject job = ws.job(jobId);
    assertThat(job.getString("status")).isEqualTo("FAILED");
    assertThat(job.getString("fail_reason")).contains("interrupted");
    JsonObject d = ws.desktop(id);
    assertThat(d.getString("task_status")).isEmpty();
    assertThat(d.getString("status")).isEqualTo("ACTIVE");
  }
}
