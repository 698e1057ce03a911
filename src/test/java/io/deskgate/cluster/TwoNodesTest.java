package io.deskgate.cluster;

import static io.deskgate.testing.TestNode.DESKTOP;
import static io.deskgate.testing.TestNode.PROJECT;
import static org.assertj.core.api.Assertions.assertThat;

import io.deskgate.provider.XvncDesktop;
import io.deskgate.testing.ConsoleClient;
import io.deskgate.testing.PgDatabase;
import io.deskgate.testing.RfbClient;
import io.deskgate.testing.TestNode;
import io.deskgate.testing.Workspace;
import io.deskgate.testing.Workspace;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two Deskgate nodes sharing one real PostgreSQL database, as behind a load balancer without sticky
 * sessions: a console URL from one opens on the other, a token raced on both opens exactly once, a
 * desktop deleted through one closes its console held by the other within a second, and the session
 * list is the union of both nodes'.
 */
class TwoNodesTest {

  static PgDatabase pg;
  static XvncDesktop desktop;
  static TestNode a;
  static TestNode b;

  @BeforeAll
  static void start() throws Exception {
    pg = PgDatabase.create();
    desktop = XvncDesktop.start(Files.createTempDirectory("deskgate-xvnc"), "shared-desk", null, "640x480");
    String secrets = Files.createTempDirectory("deskgate-key").resolve("secret.key").toString();
    Map<String, String> common = Map.of("DESKGATE_DB_URL", pg.jdbcUrl(), "DESKGATE_SECRETS_KEY_FILE", secrets);
    a = TestNode.start(TestNode.standardInventory(desktop.port()), with(common, "DESKGATE_NODE_NAME", "node-a"));
    b = TestNode.start(TestNode.standardInventory(desktop.port()), with(common, "DESKGATE_NODE_NAME", "node-b"));
  }

  static Map<String, String> with(Map<String, String> base, String key, String value) {
    Map<String, String> all = new java.util.HashMap<>(base);
    all.put(key, value);
    return all;
  }

  @AfterAll
  static void stop() {
    a.close();
    b.close();
    desktop.close();
    pg.close();
  }

  @Test
  void aConsoleUrlIssuedByOneNodeOpensOnTheOther() {
    String token = TestNode.tokenOf(a.consoleUrl(DESKTOP));
    try (ConsoleClient ws = ConsoleClient.connect(ConsoleClient.urlWithToken(b, token), null, List.of())) {
      assertThat(new RfbClient(ws).handshake().name()).as("the computer_name").isEqualTo("dev-01");
    }
    try (ConsoleClient again = ConsoleClient.connect(ConsoleClient.urlWithToken(a, token), null, List.of())) {
      assertThat(again.awaitClose(Duration.ofSeconds(10)).code()).as("and it is used up on both").isEqualTo((short) 4401);
    }
  }

  @Test
  void anIamTokenRevokedOnOneNodeStopsWorkingOnTheOtherBeforeItsCacheWouldExpire() {
    String token = a.token("alice", "alice-pass-1", PROJECT);
    String list = "/v2/" + PROJECT + "/desktops";
    // node b has now looked it up and remembers its caller for auth.token_cache_seconds (5 s)
    assertThat(b.get(list, "X-Auth-Token", token).statusCode()).isEqualTo(200);
    long revoked = System.nanoTime();
    assertThat(a.send(a.request("/v3/auth/tokens").DELETE().header("X-Auth-Token", token)
        .header("X-Subject-Token", token)).statusCode()).isEqualTo(204);
    Workspace.until(() -> b.get(list, "X-Auth-Token", token).statusCode(), status -> status == 401,
        Duration.ofSeconds(3), "node b refusing the revoked token");
    assertThat(Duration.ofNanos(System.nanoTime() - revoked)).isLessThan(Duration.ofSeconds(3));
  }

  @Test
  void ofOneTokenRacedOnBothNodesExactlyOneRedemptionWins() {
    for (int round = 0; round < 5; round++) {
      String token = TestNode.tokenOf(b.consoleUrl(DESKTOP));
      CyclicBarrier together = new CyclicBarrier(2);
      List<CompletableFuture<ConsoleClient>> race = List.of(
          CompletableFuture.supplyAsync(() -> open(together, a, token)),
          CompletableFuture.supplyAsync(() -> open(together, b, token)));
      List<ConsoleClient> clients = race.stream().map(CompletableFuture::join).toList();
      try {
        long winners = clients.stream().filter(c -> {
          try {
            return new RfbClient(c).readVersion().startsWith("RFB");
          } catch (IllegalStateException refused) {
            return false;
          }
        }).count();
        assertThat(winners).isEqualTo(1);
      } finally {
        clients.forEach(ConsoleClient::close);
      }
    }
  }

  private static ConsoleClient open(CyclicBarrier barrier, TestNode node, String token) {
    try {
      barrier.await();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    return ConsoleClient.connect(ConsoleClient.urlWithToken(node, token), null, List.of());
  }

  @Test
  void aDesktopDeletedThroughOneNodeClosesItsConsoleOnTheOtherWithinASecond() {
    a.addDesktop("shared-doomed", desktop.port());
    String token = TestNode.tokenOf(a.consoleUrl("shared-doomed"));
    try (ConsoleClient ws = ConsoleClient.connect(ConsoleClient.urlWithToken(b, token), null, List.of())) {
      new RfbClient(ws).handshake();
      Workspace viaA = new Workspace(a, a.token("alice", "alice-pass-1", PROJECT), PROJECT);
      long start = System.nanoTime();
      assertThat(viaA.delete("shared-doomed")).isEqualTo(204);
      ConsoleClient.Close close = ws.awaitClose(Duration.ofSeconds(5));
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertThat(close.code()).isEqualTo((short) 4410);
      assertThat(close.reason()).isEqualTo("desktop stopped");
      assertThat(took).isLessThan(Duration.ofSeconds(1));
    }
  }

  @Test
  void theSessionListIsTheUnionOfBothNodes() {
    try (ConsoleClient onA = ConsoleClient.connect(ConsoleClient.urlWithToken(a, TestNode.tokenOf(a.consoleUrl(DESKTOP))),
             null, List.of());
         ConsoleClient onB = ConsoleClient.connect(ConsoleClient.urlWithToken(b, TestNode.tokenOf(a.consoleUrl(DESKTOP))),
             null, List.of())) {
      new RfbClient(onA).handshake();
      new RfbClient(onB).handshake();
      Workspace viaB = new Workspace(b, b.token("alice", "alice-pass-1", PROJECT), PROJECT);
      JsonArray sessions = Workspace.until(() -> new JsonObject(viaB.get("/console-sessions").body()),
          list -> list.getJsonArray("sessions").size() >= 2, Duration.ofSeconds(5), "both sessions listed")
          .getJsonArray("sessions");
      assertThat(sessions.stream().map(s -> ((JsonObject) s).getString("node_id")).toList())
          .contains("node-a", "node-b");
      assertThat(viaB.desktop(DESKTOP).getString("login_status")).isEqualTo("CONNECTED");
      assertThat(a.get("/healthz").body()).contains("\"node\":\"node-a\"");
    }
    Workspace viaA = new Workspace(a, a.token("alice", "alice-pass-1", PROJECT), PROJECT);
    Workspace.until(() -> new JsonObject(viaA.get("/console-sessions").body()),
        list -> list.getJsonArray("sessions").isEmpty(), Duration.ofSeconds(5), "the ended sessions to leave the list");
    assertThat(viaA.desktop(DESKTOP).getString("login_status")).isEqualTo("REGISTERED");
  }
}
