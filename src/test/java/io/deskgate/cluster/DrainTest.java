package io.deskgate.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.deskgate.provider.XvncDesktop;
import io.deskgate.testing.ConsoleClient;
import io.deskgate.testing.RfbClient;
import io.deskgate.testing.TestNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Deskgate process receives SIGTERM with a console open: the session goes on for the grace
 * period while new consoles are refused and health says "draining", then it ends with "server shutting
 * down" and the process exits.
 */
class DrainTest {

  @TempDir
  Path dir;

  @Test
  void aLiveSessionOutlivesSigtermForTheGracePeriodThenEndsWithTheReason() throws Exception {
    try (XvncDesktop desktop = XvncDesktop.start(dir.resolve("xvnc"), "drained", null, "320x240")) {
      int port = TestNode.closedPort();
      Files.writeString(dir.resolve("deskgate.yaml"), TestNode.standardInventory(desktop.port()));
      ProcessBuilder pb = new ProcessBuilder(TestNode.mainCommand("--config", "deskgate.yaml"))
          .directory(dir.toFile()).redirectError(dir.resolve("deskgate.log").toFile());
      pb.environment().put("DESKGATE_HTTP_PORT", String.valueOf(port));
      pb.environment().put("DESKGATE_CONSOLE_DRAIN_GRACE_SECONDS", "3");
      pb.environment().put("DESKGATE_AUTH_PASSWORD_HASH_ITERATIONS", "10000");
      Process deskgate = pb.start();
      try {
        BufferedReader out = new BufferedReader(new InputStreamReader(deskgate.getInputStream(), StandardCharsets.UTF_8));
        for (String line; (line = out.readLine()) != null && !line.contains("Log in with"); ) {
          // wait for the banner: the node serves
        }
        String base = "http://127.0.0.1:" + port;
        String live = TestNode.consoleTokenAt(base, TestNode.aliceTokenAt(base));
        String spare = TestNode.consoleTokenAt(base, TestNode.aliceTokenAt(base));
        try (ConsoleClient ws = ConsoleClient.connect(base.replace("http", "ws") + "/vnc/console/websockify?token=" + live,
            null, List.of())) {
          RfbClient rfb = new RfbClient(ws);
          RfbClient.ServerInit init = rfb.handshake();
          long sigterm = System.nanoTime();
          deskgate.destroy();
          Thread.sleep(300);
          assertThat(get(base + "/healthz").body()).contains("\"status\":\"draining\"");
          try (ConsoleClient late = ConsoleClient.connect(base.replace("http", "ws") + "/vnc/console/websockify?token="
              + spare, null, List.of())) {
            assertThat(late.awaitClose(Duration.ofSeconds(5)).code()).as("a new console is refused").isEqualTo((short) 1001);
          }
          for (int i = 0; i < 5; i++) {
            assertThat(rfb.framebufferUpdate(init)).as("the live session still works").isPositive();
            Thread.sleep(200);
          }
          ConsoleClient.Close close = ws.awaitClose(Duration.ofSeconds(15));
          Duration after = Duration.ofNanos(System.nanoTime() - sigterm);
          assertThat(close.code()).isEqualTo((short) 1001);
          assertThat(close.reason()).isEqualTo("server shutting down");
          assertThat(after).isBetween(Duration.ofMillis(2500), Duration.ofSeconds(10));
        }
        assertThat(deskgate.waitFor(20, TimeUnit.SECONDS)).as("the process exits").isTrue();
      } finally {
        deskgate.destroyForcibly();
      }
    }
  }

  private static HttpResponse<String> get(String url) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
