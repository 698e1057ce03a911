package io.deskgate.lifecycle;

import static io.deskgate.testing.TestNode.DESKTOP;
import static io.deskgate.testing.TestNode.PROJECT;
import static io.deskgate.testing.Workspace.is;
import static org.assertj.core.api.Assertions.assertThat;

import io.deskgate.provider.XvncDesktop;
import io.deskgate.testing.TestNode;
import io.deskgate.testing.Workspace;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Desktops that already run a VNC server (the static provider), probed on a schedule: a real TigerVNC
 * server that stops answering turns the desktop ERROR (and its console call 409), and ACTIVE again once
 * it answers; power actions answer a per-desktop "not supported by provider".
 */
class StaticDesktopsTest {

  static final Duration WAIT = Duration.ofSeconds(20);

  @Test
  void reachabilityIsProbedAndShownInTheStatus() throws Exception {
    Path run = Files.createTempDirectory("deskgate-xvnc");
    XvncDesktop server = XvncDesktop.start(run, "static-1", null, "320x240");
    int port = server.port();
    try (TestNode node = TestNode.start(TestNode.standardInventory(port),
        Map.of("DESKGATE_PROVIDERS_STATIC_PROBE_INTERVAL_SECONDS", "1"))) {
      Workspace ws = new Workspace(node, node.token("alice", "alice-pass-1", PROJECT), PROJECT);
      assertThat(ws.desktop(DESKTOP).getString("status")).isEqualTo("ACTIVE");
      assertThat(ws.get("/desktops/" + DESKTOP + "/remote-consoles").statusCode()).isEqualTo(200);

      server.close();
      ws.awaitDesktop(DESKTOP, is("ERROR"), WAIT);
      RemoteConsoleConflict.assertConflict(ws.get("/desktops/" + DESKTOP + "/remote-consoles"), "ERROR");

      server = XvncDesktop.start(run, new XvncDesktop.Spec("static-1", null, "320x240", 24, XvncDesktop.DEFAULT_COMMAND,
          0, port, false, null, null, XvncDesktop.LOOPBACK));
      assertThat(server.port()).isEqualTo(port);
      ws.awaitDesktop(DESKTOP, is("ACTIVE"), WAIT);
      assertThat(ws.get("/desktops/" + DESKTOP + "/remote-consoles").statusCode()).isEqualTo(200);

      JsonObject refused = ws.action("reboot", "SOFT", DESKTOP);
      assertThat(refused.containsKey("job_id")).isFalse();
      JsonObject failure = refused.getJsonArray("failed_operation_list").getJsonObject(0);
      assertThat(failure.getString("desktop_id")).isEqualTo(DESKTOP);
      assertThat(failure.getString("error_code")).isEqualTo("WKS.00000501");
      assertThat(failure.getString("error_msg")).isEqualTo("reboot is not supported by provider static");
    } finally {
      server.close();
    }
  }

  @Test
  void aPortThatAnswersWithoutRfbIsNotADesktop() throws Exception {
    try (java.net.ServerSocket notVnc = new java.net.ServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress());
         TestNode node = TestNode.start(TestNode.standardInventory(notVnc.getLocalPort()),
             Map.of("DESKGATE_PROVIDERS_STATIC_PROBE_INTERVAL_SECONDS", "1",
                 "DESKGATE_PROVIDERS_STATIC_PROBE_TIMEOUT_MS", "300"))) {
      Thread acceptor = new Thread(() -> {
        while (!notVnc.isClosed()) {
          try (java.net.Socket s = notVnc.accept()) {
            s.getOutputStream().write("HTTP/1.1 400 Bad Request\r\n\r\n".getBytes());
          } catch (java.io.IOException closed) {
            return;
          }
        }
      });
      acceptor.setDaemon(true);
      acceptor.start();
      Workspace ws = new Workspace(node, node.token("alice", "alice-pass-1", PROJECT), PROJECT);
      ws.awaitDesktop(DESKTOP, is("ERROR"), WAIT);
    }
  }
}
