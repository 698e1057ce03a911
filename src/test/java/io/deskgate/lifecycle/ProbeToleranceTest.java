package io.deskgate.lifecycle;

import static io.deskgate.testing.TestNode.BOB_DESKTOP;
import static io.deskgate.testing.TestNode.DESKTOP;
import static io.deskgate.testing.TestNode.PROJECT;
import static io.deskgate.testing.Workspace.is;
import static org.assertj.core.api.Assertions.assertThat;

import io.deskgate.testing.ConsoleClient;
import io.deskgate.testing.RfbClient;
import io.deskgate.testing.TestNode;
import io.deskgate.testing.Workspace;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The static provider's probe against TigerVNC as operators run it: its connection blacklist on
 * (Xvnc's default, five unauthenticated connections from one address and it refuses that address).
 * Probed every second for two minutes, such servers stay ACTIVE and consoles still open through them;
 * endpoints that drip their bytes go ERROR on their own deadlines without delaying the others.
 */
class ProbeToleranceTest {

  static final Duration WAIT = Duration.ofSeconds(20);

  /** A TigerVNC server with its defaults (blacklist on), no window manager: enough for RFB. */
  static final class DefaultXvnc implements AutoCloseable {
    final Process process;
    final int port;

    DefaultXvnc(Path dir, String password) throws IOException, InterruptedException {
      int display = 70;
      while (Files.exists(Path.of("/tmp/.X11-unix/X" + display)) || Files.exists(Path.of("/tmp/.X" + display + "-lock"))) {
        display++;
      }
      try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        port = free.getLocalPort();
      }
      List<String> command = new ArrayList<>(List.of("Xvnc", ":" + display, "-rfbport", String.valueOf(port),
          "-interface", "127.0.0.1", "-nolisten", "tcp", "-geometry", "320x240", "-desktop", "default-" + display));
      if (password == null) {
        command.addAll(List.of("-SecurityTypes", "None"));
      } else {
        Path file = dir.resolve("passwd-" + display);
        Process vncpasswd = new ProcessBuilder("vncpasswd", "-f").start();
        vncpasswd.getOutputStream().write(password.getBytes(StandardCharsets.US_ASCII));
        vncpasswd.getOutputStream().close();
        Files.write(file, vncpasswd.getInputStream().readAllBytes());
        assertThat(vncpasswd.waitFor()).isZero();
        command.addAll(List.of("-SecurityTypes", "VncAuth", "-PasswordFile", file.toString()));
      }
      process = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(dir.resolve("xvnc-" + display + ".log").toFile()).start();
      // the handshake-less connection that sees it listening is one black mark, cleared by the first probe
      TestNode.awaitListening(port, Duration.ofSeconds(10));
    }

    @Override
    public void close() {
      process.destroy();
    }
  }

  @Test
  void defaultTigerVncServersProbedEverySecondForTwoMinutesStillOpenConsoles() throws Exception {
    Path dir = Files.createTempDirectory("deskgate-blacklist");
    try (DefaultXvnc open = new DefaultXvnc(dir, null);
         DefaultXvnc locked = new DefaultXvnc(dir, "probe-pw1");
         TestNode node = TestNode.start(TestNode.standardInventory(open.port)
                 .replace("dev-02, user_name: bob, console: {host: 127.0.0.1, port: " + open.port + "}",
                     "dev-02, user_name: bob, console: {host: 127.0.0.1, port: " + locked.port + ", password: probe-pw1}"),
             Map.of("DESKGATE_PROVIDERS_STATIC_PROBE_INTERVAL_SECONDS", "1"))) {
      Workspace ws = new Workspace(node, node.token("alice", "alice-pass-1", PROJECT), PROJECT);
      long end = System.nanoTime() + Duration.ofMinutes(2).toNanos();
      while (System.nanoTime() < end) {
        assertThat(ws.desktop(DESKTOP).getString("status")).isEqualTo("ACTIVE");
        assertThat(ws.desktop(BOB_DESKTOP).getString("status")).isEqualTo("ACTIVE");
        Thread.sleep(5000);
      }
      try (ConsoleClient console = ConsoleClient.connect(ConsoleClient.urlWithToken(node,
          TestNode.tokenOf(node.consoleUrl(DESKTOP))), null, List.of())) {
        assertThat(new RfbClient(console).handshake().name()).isEqualTo("dev-01");
      }
      try (ConsoleClient console = ConsoleClient.connect(ConsoleClient.urlWithToken(node,
          TestNode.tokenOf(node.consoleUrl(BOB_DESKTOP))), null, List.of())) {
        assertThat(new RfbClient(console).handshake().name()).as("VncAuth passed by Deskgate").isEqualTo("dev-02");
      }
    }
  }

  @Test
  void drippingEndpointsFailOnTheirOwnDeadlinesAndDelayNoOtherDesktop() throws Exception {
    List<ServerSocket> drips = new ArrayList<>();
    List<Thread> drippers = new ArrayList<>();
    Path dir = Files.createTempDirectory("deskgate-drip");
    DefaultXvnc real = new DefaultXvnc(dir, null);
    try (TestNode node = TestNode.start(TestNode.standardInventory(real.port), Map.of(
        "DESKGATE_PROVIDERS_STATIC_PROBE_INTERVAL_SECONDS", "1",
        "DESKGATE_PROVIDERS_STATIC_PROBE_TIMEOUT_MS", "1000"))) {
      List<String> dripping = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        ServerSocket drip = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        drips.add(drip);
        Thread t = new Thread(() -> dripBanner(drip));
        t.setDaemon(true);
        t.start();
        drippers.add(t);
        String id = UUID.randomUUID().toString();
        node.addDesktop(id, drip.getLocalPort());
        dripping.add(id);
      }
      Workspace ws = new Workspace(node, node.token("alice", "alice-pass-1", PROJECT), PROJECT);
      for (String id : dripping) {
        ws.awaitDesktop(id, is("ERROR"), WAIT);
      }
      assertThat(ws.desktop(DESKTOP).getString("status")).isEqualTo("ACTIVE");
      real.close();
      long stopped = System.nanoTime();
      ws.awaitDesktop(DESKTOP, is("ERROR"), WAIT);
      assertThat(Duration.ofNanos(System.nanoTime() - stopped)).as("a stopped server is seen within a probe or two")
          .isLessThan(Duration.ofMillis(3500));
    } finally {
      real.close();
      for (ServerSocket s : drips) {
        s.close();
      }
    }
  }

  /** Accepts connections and sends an RFB banner one byte a second: never a whole handshake. */
  static void dripBanner(ServerSocket server) {
    while (!server.isClosed()) {
      try {
        Socket s = server.accept();
        Thread t = new Thread(() -> {
          try (s; OutputStream out = s.getOutputStream()) {
            for (byte b : "RFB 003.008\n".getBytes(StandardCharsets.US_ASCII)) {
              out.write(b);
              out.flush();
              Thread.sleep(1000);
            }
          } catch (IOException | InterruptedException ended) {
            // the probe gave up and closed
          }
        });
        t.setDaemon(true);
        t.start();
      } catch (IOException closed) {
        return;
      }
    }
  }
}
