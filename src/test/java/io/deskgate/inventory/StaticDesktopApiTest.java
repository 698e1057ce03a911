package io.deskgate.inventory;

import static io.deskgate.testing.TestNode.PROJECT;
import static org.assertj.core.api.Assertions.assertThat;

import io.deskgate.provider.XvncDesktop;
import io.deskgate.testing.ConsoleClient;
import io.deskgate.testing.RfbClient;
import io.deskgate.testing.TestNode;
import io.deskgate.testing.Workspace;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Static desktops through the API, against a real TigerVNC server with a VNC password: registered, a
 * console opens with the password Deskgate holds, which no answer shows; changed without the password
 * (it stays); removed (its live console closes); refused for non-admins, bad bodies and the config
 * file's own desktops.
 */
class StaticDesktopApiTest {

  static final String PATH = "/deskgate/static-desktops";

  @TempDir
  Path dir;

  @Test
  void anAdminRegistersChangesAndRemovesAStaticDesktop() throws Exception {
    try (XvncDesktop vnc = XvncDesktop.start(dir.resolve("xvnc"), "api-desk", "vnc-pass", "320x240");
         TestNode node = TestNode.start(TestNode.standardInventory(TestNode.closedPort()))) {
      String adminToken = node.token("alice", "alice-pass-1", PROJECT);
      Workspace admin = new Workspace(node, adminToken, PROJECT);
      JsonObject body = new JsonObject().put("desktop", new JsonObject().put("id", "api-1")
          .put("computer_name", "api-one").put("user_name", "alice").put("console", new JsonObject()
              .put("host", "127.0.0.1").put("port", vnc.port()).put("security", "vnc").put("password", "vnc-pass")
              .put("viewers", "exclusive")));
      HttpResponse<String> created = admin.post(PATH, body);
      assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
      JsonObject desktop = new JsonObject(created.body()).getJsonObject("desktop");
      assertThat(desktop.getJsonObject("console").getBoolean("password_set")).isTrue();
      assertThat(desktop.getJsonObject("console").getString("viewers")).isEqualTo("exclusive");
      assertThat(created.body()).doesNotContain("vnc-pass");
      assertThat(admin.post(PATH, body).statusCode()).as("the id is taken").isEqualTo(409);
      assertThat(admin.get("/desktops/api-1").body()).contains("api-one").doesNotContain("vnc-pass");
      assertThat(opens(node, "api-1")).isEqualTo("api-one");

      JsonObject changed = body.copy();
      changed.getJsonObject("desktop").put("computer_name", "api-renamed").getJsonObject("console").remove("password");
      HttpResponse<String> put = admin.send("PUT", PATH + "/api-1", changed);
      assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
      assertThat(opens(node, "api-1")).as("the password it kept still opens the console").isEqualTo("api-renamed");

      try (ConsoleClient live = ConsoleClient.connect(ConsoleClient.urlWithToken(node,
          TestNode.tokenOf(node.consoleUrl("api-1"))), null, List.of())) {
        new RfbClient(live).handshake();
        assertThat(delete(node, adminToken, "api-1").statusCode()).isEqualTo(204);
        assertThat(live.awaitClose(Duration.ofSeconds(10)).code()).as("its console closes").isEqualTo((short) 4410);
      }
      assertThat(node.remoteConsole(PROJECT, "api-1", "X-Auth-Token", adminToken).statusCode()).isEqualTo(404);
      assertThat(delete(node, adminToken, "api-1").statusCode()).isEqualTo(404);
    }
  }

  @Test
  void badBodiesNonAdminsAndTheFilesDesktopsAreRefused() {
    try (TestNode node = TestNode.start(TestNode.standardInventory(TestNode.closedPort()))) {
      Workspace admin = new Workspace(node, node.token("alice", "alice-pass-1", PROJECT), PROJECT);
      Workspace bob = new Workspace(node, node.token("bob", "bob-pass-1", PROJECT), PROJECT);
      JsonObject good = new JsonObject().put("desktop", new JsonObject().put("user_name", "alice")
          .put("console", new JsonObject().put("host", "127.0.0.1").put("port", 5901)));
      assertThat(bob.post(PATH, good).statusCode()).isEqualTo(403);
      assertThat(admin.post(PATH, new JsonObject()).statusCode()).isEqualTo(400);
      HttpResponse<String> typo = admin.post(PATH, new JsonObject().put("desktop", good.getJsonObject("desktop").copy()
          .put("consle", new JsonObject())));
      assertThat(typo.statusCode()).isEqualTo(400);
      assertThat(typo.body()).contains("unknown key 'consle'");
      HttpResponse<String> port = admin.post(PATH, new JsonObject().put("desktop", new JsonObject()
          .put("user_name", "alice").put("console", new JsonObject().put("host", "h").put("port", "x"))));
      assertThat(port.statusCode()).isEqualTo(400);
      assertThat(port.body()).contains("'console.port'").contains("must be a whole number");
      HttpResponse<String> vncWithout = admin.post(PATH, new JsonObject().put("desktop", new JsonObject()
          .put("user_name", "alice").put("console", new JsonObject().put("host", "h").put("port", 5901)
              .put("security", "vnc"))));
      assertThat(vncWithout.statusCode()).isEqualTo(400);
      assertThat(vncWithout.body()).contains("needs console.password");
      assertThat(admin.post(PATH, new JsonObject().put("desktop", good.getJsonObject("desktop").copy()
          .put("provider", "xvnc"))).statusCode()).isEqualTo(400);
      assertThat(admin.send("PUT", PATH + "/" + TestNode.DESKTOP, good).statusCode()).as("declared in the file")
          .isEqualTo(409);
      HttpResponse<String> generated = admin.post(PATH, good);
      assertThat(generated.statusCode()).as(generated.body()).isEqualTo(201);
      assertThat(new JsonObject(generated.body()).getJsonObject("desktop").getString("id")).hasSize(36);
    }
  }

  private static HttpResponse<String> delete(TestNode node, String token, String id) {
    return node.send(node.request("/v2/" + PROJECT + PATH + "/" + id).header("X-Auth-Token", token).DELETE());
  }

  private static String opens(TestNode node, String desktop) {
    try (ConsoleClient ws = ConsoleClient.connect(ConsoleClient.urlWithToken(node,
        TestNode.tokenOf(node.consoleUrl(desktop))), null, List.of())) {
      return new RfbClient(ws).handshake().name();
    }
  }
}
