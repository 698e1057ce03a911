package io.deskgate.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.deskgate.desktop.Desktop;
import io.deskgate.rfb.SecurityMode;
import io.deskgate.rfb.TlsSettings;
import io.deskgate.testing.ConsoleClient;
import io.deskgate.testing.LogCapture;
import io.deskgate.testing.RfbClient;
import io.deskgate.testing.TestNode;
import io.deskgate.web.DesktopCa;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * QEMU's own VNC server with TLS (x509 credentials, as libvirt's {@code vnc_tls} sets them up) and a
 * VNC password: it offers only VeNCrypt, and Deskgate passes X509Vnc with the desktop's CA and password.
 * QEMU runs directly, not through the host's libvirtd, whose VNC TLS is a host-wide switch
 * ({@code /etc/libvirt/qemu.conf}) that would change every other domain on the machine.
 */
class QemuVncTlsTest {

  static final String PASSWORD = "qemu-pw1";
  static Process qemu;
  static int port;
  static DesktopCa ca;
  static TestNode node;

  @BeforeAll
  static void start() throws Exception {
    Path dir = Files.createTempDirectory("deskgate-qemu-tls");
    ca = DesktopCa.loadOrCreate(dir.resolve("ca"), "test QEMU desktops");
    Path creds = Files.createDirectories(dir.resolve("x509"));
    Files.copy(ca.certFile(), creds.resolve("ca-cert.pem"));
    ca.issue(creds.resolve("server-cert.pem"), creds.resolve("server-key.pem"), List.of("127.0.0.1"));
    port = freeVncPort();
    qemu = new ProcessBuilder("qemu-system-x86_64", "-machine", "none", "-nodefaults", "-display", "none",
        "-object", "tls-creds-x509,id=tls0,dir=" + creds + ",endpoint=server,verify-peer=off",
        "-object", "secret,id=vncpw,data=" + PASSWORD,
        "-vnc", "127.0.0.1:" + (port - 5900) + ",tls-creds=tls0,password-secret=vncpw")
        .redirectErrorStream(true).redirectOutput(dir.resolve("qemu.log").toFile()).start();
    TestNode.awaitListening(port, Duration.ofSeconds(20));
    node = TestNode.start(TestNode.standardInventory(TestNode.closedPort()), Map.of());
  }

  @AfterAll
  static void stop() throws InterruptedException {
    node.close();
    qemu.destroy();
    qemu.waitFor();
  }

  static int freeVncPort() throws IOException {
    for (int p = 5990; p > 5900; p--) {
      try (ServerSocket probe = new ServerSocket(p, 1, InetAddress.getLoopbackAddress())) {
        return p;
      } catch (IOException taken) {
        // try the next one
      }
    }
    throw new IOException("no free VNC port in 5901-5990");
  }

  @Test
  void deskgatePassesQemusVencryptWithTheDesktopsCaAndPassword() {
    node.addDesktop("qemu-tls", new Desktop.ConsoleEndpoint("127.0.0.1", port,
        node.node().secrets().seal(PASSWORD, Desktop.passwordSealContext("qemu-tls")), SecurityMode.AUTO, null,
        new TlsSettings(ca.certFile().toString(), null, null, null, false), null, null));
    try (LogCapture log = new LogCapture(); ConsoleClient ws = ConsoleClient.connect(ConsoleClient.urlWithToken(node,
        TestNode.tokenOf(node.consoleUrl("qemu-tls"))), null, List.of())) {
      RfbClient rfb = new RfbClient(ws);
      RfbClient.ServerInit init = rfb.handshake();
      assertThat(init.name()).isEqualTo("qemu-tls");
      assertThat(rfb.framebufferUpdate(init)).isPositive();
      assertThat(log.awaitLine("(security type 261,")).as("X509Vnc with QEMU").isTrue();
    }
  }

  @Test
  void aWrongPasswordInsideTlsIsRefusedCredentials() {
    node.addDesktop("qemu-tls-wrong", new Desktop.ConsoleEndpoint("127.0.0.1", port,
        node.node().secrets().seal("not-it", Desktop.passwordSealContext("qemu-tls-wrong")), SecurityMode.VENCRYPT,
        null, new TlsSettings(ca.certFile().toString(), null, null, null, false), null, null));
    try (ConsoleClient ws = ConsoleClient.connect(ConsoleClient.urlWithToken(node,
        TestNode.tokenOf(node.consoleUrl("qemu-tls-wrong"))), null, List.of())) {
      assertThat(ws.awaitClose(Duration.ofSeconds(15)).code()).isEqualTo((short) 4506);
    }
  }
}
