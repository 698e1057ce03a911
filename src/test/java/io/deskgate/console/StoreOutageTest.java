package io.deskgate.console;

import static io.deskgate.console.RemoteConsoleApiTest.expectError;
import static io.deskgate.testing.TestNode.DESKTOP;
import static io.deskgate.testing.TestNode.PROJECT;
import static org.assertj.core.api.Assertions.assertThat;

import io.deskgate.provider.XvncDesktop;
import io.deskgate.store.Sql;
import io.deskgate.store.StoreUnavailableException;
import io.deskgate.testing.ConsoleClient;
import io.deskgate.testing.RfbClient;
import io.deskgate.testing.PgDatabase;
import io.deskgate.testing.TestNode;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The database becomes unreachable under a running node (its PostgreSQL role loses the right to log
 * in and its sessions are terminated): calls answer 503 WKS.00000503 within the configured wait,
 * console WebSockets close with 4503, health says so, and everything works again once it is back.
 */
class StoreOutageTest {

  static PgDatabase pg;
  static String role;
  static TestNode node;

  @BeforeAll
  static void start() {
    pg = PgDatabase.create();
    role = "dg_outage_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    pg.admin("CREATE ROLE " + role + " LOGIN", "ALTER DATABASE " + pg.name() + " OWNER TO " + role);
    node = TestNode.start(TestNode.standardInventory(5999), Map.of(
        "DESKGATE_DB_URL", pg.jdbcUrl(role),
        "DESKGATE_STORE_CONNECTION_TIMEOUT_MS", "1000"));
  }

  @AfterAll
  static void stop() {
    node.close();
    pg.close();
    pg.admin("DROP ROLE IF EXISTS " + role);
  }

  @Test
  void whileTheStoreIsUnreachableCallsAnswer503AndRecoverAfterwards() {
    String token = node.token("alice", "alice-pass-1", PROJECT);
    String consoleToken = TestNode.tokenOf(node.consoleUrl(DESKTOP));
    pg.admin("ALTER ROLE " + role + " NOLOGIN",
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '" + role + "'");
    try {
      long start = System.nanoTime();
      expectError(node.remoteConsole(PROJECT, DESKTOP, "X-Auth-Token", token), 503, "WKS.00000503",
          "The service is temporarily unavailable, retry later.");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
      assertThat(node.get("/healthz").statusCode()).isEqualTo(503);
      try (ConsoleClient ws = ConsoleClient.connect(ConsoleClient.urlWithToken(node, consoleToken), null, List.of())) {
        ConsoleClient.Close close = ws.awaitClose(Duration.ofSeconds(10));
        assertThat(close.code()).isEqualTo((short) 4503);
        assertThat(close.reason()).isEqualTo("service temporarily unavailable");
      }
    } finally {
      pg.admin("ALTER ROLE " + role + " LOGIN");
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    int status;
    do {
      status = node.remoteConsole(PROJECT, DESKTOP, "X-Auth-Token", token).statusCode();
    } while (status == 503 && System.nanoTime() < deadline);
    assertThat(status).as("the node recovers by itself once the database is back").isEqualTo(200);
    assertThat(node.get("/healthz").statusCode()).isEqualTo(200);
  }

  @Test
  void aConsoleThatEndsDuringAnOutageLeavesTheSessionListOnceTheStoreIsBack() throws Exception {
    String desktop = "6f1d2c3b-4a5e-4f60-8b7c-9d0e1f2a3b4c";
    try (XvncDesktop vnc = XvncDesktop.start(Files.createTempDirectory("deskgate-xvnc"), "outage", null, "320x240")) {
      node.addDesktop(desktop, vnc.port());
      String consoleToken = TestNode.tokenOf(node.consoleUrl(desktop));
      ConsoleClient ws = ConsoleClient.connect(ConsoleClient.urlWithToken(node, consoleToken), null, List.of());
      assertThat(new RfbClient(ws).readVersion()).isEqualTo("RFB 003.008\n");
      await(() -> listed(desktop) == 1, "the open console is listed");
      assertThat(loginStatus(desktop)).isEqualTo("CONNECTED");
      pg.admin("ALTER ROLE " + role + " NOLOGIN",
          "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '" + role + "'");
      long back;
      try {
        ws.close();
        await(() -> node.node().sessions().count() == 0, "the console ended on the node");
      } finally {
        pg.admin("ALTER ROLE " + role + " LOGIN");
        back = System.nanoTime();
      }
      await(() -> listed(desktop) == 0, "the ended console leaves the list after the store is back");
      assertThat(Duration.ofNanos(System.nanoTime() - back)).as("within 5 s of the store's return")
          .isLessThan(Duration.ofSeconds(5));
      assertThat(loginStatus(desktop)).isNotEqualTo("CONNECTED");
      long history = node.node().database().runNow(c -> Sql.one(c, "SELECT COUNT(*) FROM console_history "
          + "WHERE desktop_id = ? AND close_reason = 'browser_closed'", rs -> rs.getLong(1),
          desktop).orElseThrow());
      assertThat(history).as("its history row, held while the store was away").isEqualTo(1);
    }
  }

  private static String loginStatus(String desktop) {
    return new JsonObject(node.get("/v2/" + PROJECT + "/desktops/" + desktop, "X-Auth-Token",
        node.token("alice", "alice-pass-1", PROJECT)).body()).getJsonObject("desktop").getString("login_status");
  }

  private static long listed(String desktop) {
    try {
      return node.node().database().runNow(c -> Sql.one(c, "SELECT COUNT(*) FROM console_sessions WHERE desktop_id = ?",
          rs -> rs.getLong(1), desktop).orElseThrow());
    } catch (StoreUnavailableException e) {
      return -1;
    }
  }

  private static void await(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as(what).isLessThan(deadline);
      Thread.sleep(50);
    }
  }
}
