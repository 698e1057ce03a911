package io.deskgate.web;

import static io.deskgate.testing.TestNode.DESKTOP;
import static io.deskgate.testing.TestNode.PROJECT;
import static org.assertj.core.api.Assertions.assertThat;

import io.deskgate.testing.ScriptedDesktop;
import io.deskgate.testing.LogCapture;
import io.deskgate.testing.Nginx;
import io.deskgate.testing.RawHttp;
import io.deskgate.testing.RawWebSocket;
import io.deskgate.testing.TestNode;
import io.deskgate.testing.Workspace;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Deskgate behind a real nginx, as docs/scale-out.md sets it up, with http.trusted_proxies naming it:
 * clients on different addresses (127.0.0.2, 127.0.0.3) are told apart in throttles, logs and the
 * session list, and an X-Forwarded-For a client forges is not believed.
 */
class NginxFrontTest {

  static final Duration WAIT = Duration.ofSeconds(10);

  @Test
  void clientsBehindNginxKeepTheirOwnAddressesAndCannotForgeOne() throws Exception {
    Path dir = Files.createTempDirectory("deskgate-nginx");
    try (ScriptedDesktop desk = ScriptedDesktop.sink();
         TestNode node = TestNode.start(TestNode.standardInventory(desk.port()), Map.of(
             "DESKGATE_HTTP_TRUSTED_PROXIES", "127.0.0.1/32",
             "DESKGATE_AUTH_LOGIN_PER_ADDRESS_REQUESTS_PER_SECOND", "1",
             "DESKGATE_AUTH_LOGIN_PER_ADDRESS_BURST", "2"));
         LogCapture log = new LogCapture()) {
      int port = TestNode.closedPort();
      String http = """
          access_log off;
          map $http_upgrade $connection_upgrade { default upgrade; '' close; }
          server {
            listen 127.0.0.1:%1$d;
            location / {
              proxy_pass http://127.0.0.1:%2$d;
              proxy_http_version 1.1;
              proxy_set_header Host $http_host;
              proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
              proxy_set_header Upgrade $http_upgrade;
              proxy_set_header Connection $connection_upgrade;
            }
          }
          """.formatted(port, node.node().port());
      try (Nginx nginx = Nginx.start(dir, port, http)) {
        String body = TestNode.loginBody("alice", "wrong-password", PROJECT).encode();
        String login = "POST /v3/auth/tokens HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + "X-Forwarded-For: 198.51.100.77\r\nContent-Length: " + body.length() + "\r\n\r\n" + body;
        // 127.0.0.2 spends its burst of two and is throttled; 127.0.0.3, behind the same nginx, is not
        for (int i = 0; i < 2; i++) {
          assertThat(send(port, "127.0.0.2", login).status()).isEqualTo(401);
        }
        assertThat(send(port, "127.0.0.2", login).status()).isEqualTo(429);
        assertThat(send(port, "127.0.0.3", login).status()).isEqualTo(401);
        assertThat(log.awaitLine("client=127.0.0.3")).isTrue();
        assertThat(log.lines()).noneMatch(l -> l.contains("198.51.100.77"));

        String token = TestNode.tokenOf(node.consoleUrl(DESKTOP));
        try (RawWebSocket ws = RawWebSocket.open(port, token, false, "127.0.0.2")) {
          String auth = node.token("alice", "alice-pass-1", PROJECT);
          // the session list is written as the session starts, just after the upgrade
          JsonObject session = Workspace.until(() -> new JsonObject(node.get("/v2/" + PROJECT + "/console-sessions",
                  "X-Auth-Token", auth).body()).getJsonArray("sessions"), list -> !list.isEmpty(), WAIT,
              "the console in the session list").getJsonObject(0);
          assertThat(session.getString("client_address")).isEqualTo("127.0.0.2");
        }
      }
    }
  }

  private static RawHttp.Response send(int port, String from, String request) {
    try (RawHttp http = new RawHttp(port, from)) {
      http.send(request);
      return http.read("POST", WAIT);
    }
  }
}
