package io.deskgate.cluster;

import static io.deskgate.testing.TestNode.PROJECT;
import static io.deskgate.testing.Workspace.gone;
import static io.deskgate.testing.Workspace.is;
import static org.assertj.core.api.Assertions.assertThat;

import io.deskgate.provider.XvncDesktop;
import io.deskgate.store.Sql;
import io.deskgate.testing.BrowserCheck;
import io.deskgate.testing.ConsoleClient;
import io.deskgate.testing.PgDatabase;
import io.deskgate.testing.ProcessTable;
import io.deskgate.testing.RfbClient;
import io.deskgate.testing.TestNode;
import io.deskgate.testing.Workspace;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two nodes on one real PostgreSQL, as behind a load balancer without sticky sessions, with the same
 * inventory holding an xvnc desktop: it runs on exactly one node (the process table says so) across
 * restarts of either; jobs taken by one node run on the desktop's owner; a console held by one node is
 * ended through the other, the browser says so, and its history row tells who, from where, how much and
 * why; the history filters, pages and is purged; the node list shows both.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RegionTest {

  static final Duration WAIT = Duration.ofSeconds(40);
  static final String INVENTORY_XVNC = "inv-xvnc-01";
  static final String INVENTORY_PINNED = "inv-xvnc-pinned";
  static final String PRODUCTS = "{small: {geometry: 640x480, depth: 24, command: \"xterm -geometry 80x20+10+10\"}}";

  @TempDir
  static Path dir;
  static PgDatabase pg;
  static XvncDesktop shared;
  static TestNode a;
  static TestNode b;

  @BeforeAll
  static void start() throws Exception {
    pg = PgDatabase.create();
    shared = XvncDesktop.start(Files.createTempDirectory("deskgate-xvnc"), "region-static", null, "640x480");
    // both nodes apply the inventory at the same moment: one of them claims the xvnc desktop
    CompletableFuture<TestNode> startA = CompletableFuture.supplyAsync(() -> node("node-a"));
    CompletableFuture<TestNode> startB = CompletableFuture.supplyAsync(() -> node("node-b"));
    a = startA.join();
    b = startB.join();
  }

  static TestNode node(String name) {
    Map<String, String> env = new HashMap<>();
    env.put("DESKGATE_DB_URL", pg.jdbcUrl());
    env.put("DESKGATE_SECRETS_KEY_FILE", dir.resolve("secret.key").toString());
    env.put("DESKGATE_NODE_NAME", name);
    env.put("DESKGATE_PROVIDERS_XVNC_RUN_DIR", dir.resolve(name + "-xvnc").toString());
    env.put("DESKGATE_PROVIDERS_XVNC_PRODUCTS", PRODUCTS);
    env.put("DESKGATE_PROVIDERS_XVNC_CHECK_INTERVAL_SECONDS", "1");
    env.put("DESKGATE_HTTP_TRUSTED_PROXIES", "127.0.0.1");
    // node-b's desktops listen on another address of this host, as on a host of its own
    env.put("DESKGATE_PROVIDERS_XVNC_LISTEN_ADDRESS", name.equals("node-b") ? "127.0.0.2" : "127.0.0.1");
    String standard = TestNode.standardInventory(shared.port());
    String firstDesktop = standard.lines().filter(l -> l.contains("computer_name: dev-01")).findFirst().orElseThrow();
    String indent = firstDesktop.substring(0, firstDesktop.indexOf('-'));
    String inventory = standard.replace(firstDesktop + "\n", firstDesktop + "\n" + indent + "- {id: " + INVENTORY_XVNC
        + ", computer_name: inv-x, user_name: alice, provider: xvnc, product: small}\n" + indent + "- {id: "
        + INVENTORY_PINNED + ", computer_name: inv-p, user_name: alice, provider: xvnc, product: small, node: node-b}\n");
    return TestNode.start(inventory, env);
  }

  @AfterAll
  static void stop() {
    if (a != null && b != null) {
      Workspace ws = admin(a);
      for (String id : a.node().database().runNow(c -> Sql.list(c, "SELECT id FROM desktops WHERE provider = 'xvnc'",
          rs -> rs.getString(1)))) {
        ws.delete(id);
        ws.awaitDesktop(id, gone(), WAIT);
      }
    }
    if (a != null) {
      a.close();
    }
    if (b != null) {
      b.close();
    }
    shared.close();
    pg.close();
  }

  static Workspace admin(TestNode node) {
    return new Workspace(node, node.token("alice", "alice-pass-1", PROJECT), PROJECT);
  }

  static List<String> xvncProcesses(String desktopId) {
    return ProcessTable.xvncOf(desktopId);
  }

  static String ownerOf(String desktopId) {
    return a.node().database().runNow(c -> Sql.one(c, "SELECT owner_node FROM desktops WHERE id = ?",
        rs -> rs.getString(1), desktopId).orElseThrow());
  }

  static TestNode restart(TestNode node) {
    String name = node.node().nodeId();
    TestNode other = node == a ? b : a;
    node.close();
    long listed = other.node().database().runNow(c -> Sql.one(c, "SELECT COUNT(*) FROM nodes WHERE name = ?",
        rs -> rs.getLong(1), name).orElseThrow());
    assertThat(listed).as("a node that stops cleanly leaves the node list").isZero();
    return node(name);
  }

  @Test
  @Order(1)
  void anInventoryXvncDesktopRunsOnExactlyOneNodeAcrossRestartsOfEither() {
    admin(a).awaitDesktop(INVENTORY_XVNC, is("ACTIVE"), WAIT);
    String owner = ownerOf(INVENTORY_XVNC);
    assertThat(owner).isIn("node-a", "node-b");
    assertThat(xvncProcesses(INVENTORY_XVNC)).hasSize(1).allMatch(args -> args.contains("/" + owner + "-xvnc/"));

    boolean aOwns = owner.equals("node-a");
    // the other node restarts: it neither starts nor adopts it
    if (aOwns) {
      b = restart(b);
    } else {
      a = restart(a);
    }
    assertThat(ownerOf(INVENTORY_XVNC)).isEqualTo(owner);
    assertThat(xvncProcesses(INVENTORY_XVNC)).hasSize(1).allMatch(args -> args.contains("/" + owner + "-xvnc/"));
    // the owner restarts: it adopts its desktop again, and the other one still keeps off it
    if (aOwns) {
      a = restart(a);
    } else {
      b = restart(b);
    }
    admin(a).awaitDesktop(INVENTORY_XVNC, is("ACTIVE"), WAIT);
    assertThat(ownerOf(INVENTORY_XVNC)).isEqualTo(owner);
    assertThat(xvncProcesses(INVENTORY_XVNC)).hasSize(1).allMatch(args -> args.contains("/" + owner + "-xvnc/"));
    admin(a).awaitDesktop(INVENTORY_PINNED, is("ACTIVE"), WAIT);
    assertThat(ownerOf(INVENTORY_PINNED)).as("pinned with node: in the inventory").isEqualTo("node-b");
    assertThat(xvncProcesses(INVENTORY_PINNED)).hasSize(1).allMatch(args -> args.contains("/node-b-xvnc/"));
  }

  @Test
  @Order(2)
  void aDesktopCreatedThroughAIsStoppedStartedAndDeletedOnAWhateverNodeTakesTheCall() {
    Workspace viaA = admin(a);
    Workspace viaB = admin(b);
    String id = Workspace.createdDesktops(viaA.awaitJob(viaA.create("small", "alice", "made-on-a"), WAIT)).get(0);
    assertThat(ownerOf(id)).isEqualTo("node-a");
    assertThat(xvncProcesses(id)).hasSize(1);

    JsonObject stopped = viaB.awaitJob(viaB.action("os-stop", "HARD", id).getString("job_id"), WAIT);
    assertThat(stopped.getString("status")).isEqualTo("SUCCESS");
    assertThat(xvncProcesses(id)).as("stopped on its owner, not only in the store").isEmpty();
    assertThat(viaB.desktop(id).getString("status")).isEqualTo("SHUTOFF");

    JsonObject started = viaB.awaitJob(viaB.action("os-start", null, id).getString("job_id"), WAIT);
    assertThat(started.getString("status")).isEqualTo("SUCCESS");
    assertThat(xvncProcesses(id)).hasSize(1).allMatch(args -> args.contains("/node-a-xvnc/"));
    assertThat(viaB.desktop(id).getString("status")).isEqualTo("ACTIVE");

    assertThat(viaB.delete(id)).isEqualTo(204);
    viaB.awaitDesktop(id, gone(), WAIT);
    assertThat(xvncProcesses(id)).isEmpty();
  }

  @Test
  @Order(3)
  void aConsoleOnNodeAEndedThroughNodeBShowsTheMessageAndLeavesItsHistory() throws Exception {
    String desktop = "region-ended-01";
    a.addDesktop(desktop, shared.port());
    String url = a.consoleUrl(desktop);
    TestNode.tokenOf(url);
    try (BrowserCheck browser = BrowserCheck.open(url, dir.resolve("ended.png"), "connected", "disconnected", null,
        "--header", "X-Forwarded-For: 203.0.113.7")) {
      JsonObject connected = browser.next();
      assertThat(connected.getString("state")).isEqualTo("connected");
      Workspace viaB = admin(b);
      JsonObject live = Workspace.until(() -> new JsonObject(viaB.get("/console-sessions").body()),
          l -> l.getJsonArray("sessions").stream().anyMatch(s -> desktop.equals(((JsonObject) s).getString("desktop_id"))),
          WAIT, "the console listed").getJsonArray("sessions").stream().map(JsonObject.class::cast)
          .filter(s -> desktop.equals(s.getString("desktop_id"))).findFirst().orElseThrow();
      assertThat(live.getString("node_id")).isEqualTo("node-a");
      assertThat(live.getString("client_address")).isEqualTo("203.0.113.7");
      String sessionId = live.getString("session_id");

      long asked = System.currentTimeMillis();
      assertThat(b.send(b.request("/v2/" + PROJECT + "/console-sessions/" + URLEncoder.encode(sessionId,
          StandardCharsets.UTF_8)).DELETE().header("X-Auth-Token", b.token("alice", "alice-pass-1", PROJECT)))
          .statusCode()).isEqualTo(204);
      JsonObject ended = browser.next();
      assertThat(ended.getString("state")).isEqualTo("disconnected");
      assertThat(ended.getString("status")).isEqualTo("An administrator ended this console.");

      JsonObject row = Workspace.until(() -> history(viaB, "?desktop_id=" + desktop),
          h -> h.getLong("total_count") == 1, WAIT, "the history row").getJsonArray("sessions").getJsonObject(0);
      assertThat(row.getString("session_id")).isEqualTo(sessionId);
      assertThat(row.getString("close_reason")).isEqualTo("ended_by_admin");
      assertThat(row.getString("ended_by")).isEqualTo(userId("alice"));
      assertThat(row.getString("user_id")).isEqualTo(userId("alice"));
      assertThat(row.getString("client_address")).isEqualTo("203.0.113.7");
      assertThat(row.getString("user_agent")).contains("Chrome");
      assertThat(row.getString("node_id")).isEqualTo("node-a");
      assertThat(row.getString("mode")).isEqualTo("full");
      assertThat(row.getLong("bytes_to_browser")).as("a screen's worth").isGreaterThan(10_000);
      assertThat(row.getLong("bytes_to_desktop")).as("the browser's requests").isPositive();
      long closedAt = Instant.parse(row.getString("closed_at")).toEpochMilli();
      assertThat(closedAt - asked).as("closed within a second of the call").isBetween(0L, 1000L);
      assertThat(new JsonObject(viaB.get("/console-sessions").body()).getJsonArray("sessions").stream()
          .noneMatch(s -> sessionId.equals(((JsonObject) s).getString("session_id")))).isTrue();
    }
  }

  @Test
  @Order(4)
  void onlyAnAdminOrTheConsolesOwnUserEndsItAndAnUnknownSessionIs404() {
    String bob = b.token("bob", "bob-pass-1", PROJECT);
    String victor = b.token("victor", "victor-pass-1", PROJECT);
    String path = "/v2/" + PROJECT + "/console-sessions/node-a:zz:1";
    assertThat(b.send(b.request(path).DELETE().header("X-Auth-Token", victor)).statusCode()).isEqualTo(403);
    var unknown = b.send(b.request(path).DELETE().header("X-Auth-Token", bob));
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(new JsonObject(unknown.body()).getString("error_code")).isEqualTo("WKS.00000404");
    assertThat(b.send(b.request("/v2/" + PROJECT + "/console-history").header("X-Auth-Token", bob)).statusCode())
        .isEqualTo(403);
  }

  @Test
  @Order(5)
  void theHistoryFiltersPagesAndIsPurgedAfterItsRetention() {
    long day = TimeUnit.DAYS.toMillis(1);
    long now = System.currentTimeMillis();
    a.sql("DELETE FROM console_history");
    for (int i = 0; i < 7; i++) {
      long closed = now - i * 3_600_000L - 1000;
      a.sql("INSERT INTO console_history (session_id, project_id, desktop_id, user_id, node_name, mode, opened_at, "
              + "closed_at, bytes_to_browser, bytes_to_desktop, close_reason) VALUES (?, ?, ?, ?, 'node-a', 'full', ?, ?, 1, 1, "
              + "'browser_closed')", "h-" + i, PROJECT, i % 2 == 0 ? "desk-even" : "desk-odd", i < 3 ? "u-early" : "u-late",
          closed - 60_000, closed);
    }
    a.sql("INSERT INTO console_history (session_id, project_id, desktop_id, user_id, node_name, opened_at, closed_at, "
        + "close_reason) VALUES ('h-old', ?, 'desk-even', 'u-early', 'node-a', ?, ?, 'node_lost')", PROJECT,
        now - 91 * day, now - 91 * day);
    a.sql("INSERT INTO console_history (session_id, project_id, desktop_id, user_id, node_name, opened_at, closed_at, "
        + "close_reason) VALUES ('h-other', ?, 'desk-even', 'u-early', 'node-a', ?, ?, 'idle')", TestNode.OTHER_PROJECT,
        now, now);
    Workspace ws = admin(b);

    JsonObject all = history(ws, "");
    assertThat(all.getLong("total_count")).as("this project's rows only").isEqualTo(8);
    assertThat(ids(all)).as("newest first").startsWith("h-0", "h-1");
    JsonObject page = history(ws, "?limit=3&offset=3");
    assertThat(page.getLong("total_count")).isEqualTo(8);
    assertThat(ids(page)).containsExactly("h-3", "h-4", "h-5");
    assertThat(ids(history(ws, "?desktop_id=desk-odd"))).containsExactly("h-1", "h-3", "h-5");
    assertThat(ids(history(ws, "?user_id=u-early&desktop_id=desk-even"))).containsExactly("h-0", "h-2", "h-old");
    String since = Instant.ofEpochMilli(now - 2 * 3_600_000L - 30_000).toString();
    String until = Instant.ofEpochMilli(now - 30_000).toString();
    assertThat(ids(history(ws, "?since=" + since + "&until=" + until))).containsExactly("h-1", "h-2");
    assertThat(ws.get("/console-history?since=yesterday").statusCode()).isEqualTo(400);
    assertThat(ws.get("/console-history?limit=5000").statusCode()).isEqualTo(400);

    a.sql("DELETE FROM cluster_chores");
    a.node().housekeeping().await();
    b.node().housekeeping().await();
    assertThat(ids(history(ws, ""))).as("older than audit.retention_days (90)").doesNotContain("h-old").hasSize(7);
  }

  @Test
  @Order(6)
  void theNodeListShowsBothNodesUp() {
    JsonObject list = new JsonObject(admin(a).get("/deskgate/nodes").body());
    assertThat(list.getInteger("total_count")).isEqualTo(2);
    for (Object n : list.getJsonArray("nodes")) {
      JsonObject node = (JsonObject) n;
      assertThat(node.getString("name")).isIn("node-a", "node-b");
      assertThat(node.getString("status")).isEqualTo("up");
      assertThat(node.getBoolean("draining")).isFalse();
      assertThat(node.getString("address")).startsWith("http://127.0.0.1:");
      assertThat(node.getString("version")).isNotBlank();
    }
    String bob = b.token("bob", "bob-pass-1", PROJECT);
    assertThat(b.get("/v2/" + PROJECT + "/deskgate/nodes", "X-Auth-Token", bob).statusCode()).isEqualTo(403);
  }

  @Test
  @Order(7)
  void aDesktopOfNodeBListensOnItsListenAddressAndItsConsoleOpensThroughNodeA() {
    Workspace viaB = admin(b);
    String id = Workspace.createdDesktops(viaB.awaitJob(viaB.create("small", "alice", "made-on-b"), WAIT)).get(0);
    assertThat(ownerOf(id)).isEqualTo("node-b");
    assertThat(xvncProcesses(id)).hasSize(1).allMatch(args -> args.contains("-interface 127.0.0.2"))
        .noneMatch(args -> args.contains("-localhost"));
    try (ConsoleClient ws = ConsoleClient.connect(ConsoleClient.urlWithToken(a, TestNode.tokenOf(a.consoleUrl(id))),
        null, List.of())) {
      assertThat(new RfbClient(ws).handshake().name()).isEqualTo("made-on-b");
    }
    Workspace viaA = admin(a);
    assertThat(viaA.delete(id)).isEqualTo(204);
    viaA.awaitDesktop(id, gone(), WAIT);
    assertThat(xvncProcesses(id)).isEmpty();
  }

  static JsonObject history(Workspace ws, String query) {
    var r = ws.get("/console-history" + query);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return new JsonObject(r.body());
  }

  static List<String> ids(JsonObject page) {
    JsonArray sessions = page.getJsonArray("sessions");
    return sessions.stream().map(s -> ((JsonObject) s).getString("session_id")).toList();
  }

  static String userId(String name) {
    return a.node().database().runNow(c -> Sql.one(c, "SELECT id FROM users WHERE name = ?", rs -> rs.getString(1),
        name).orElseThrow());
  }
}
