package io.deskgate.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.deskgate.desktop.Desktop;
import io.deskgate.provider.XvncDesktop;
import io.deskgate.rfb.SecurityMode;
import io.deskgate.rfb.TlsSettings;
import io.deskgate.testing.ConsoleClient;
import io.deskgate.testing.LogCapture;
import io.deskgate.testing.RfbClient;
import io.deskgate.testing.TestNode;
import io.deskgate.web.DesktopCa;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * VeNCrypt against a real TigerVNC server that requires X509Vnc with a certificate from a test CA:
 * Deskgate verifies the chain and the name, passes VNC Authentication inside TLS, and a console whose
 * desktop shows a certificate from another CA, or for another name, is refused with a message that
 * says which. The browser never sees anything of it but Deskgate's security None.
 */
class DesktopTlsTest {

  static final Duration WAIT = Duration.ofSeconds(15);
  static final String PASSWORD = "tls-pw-1";
  static XvncDesktop desktop;
  static DesktopCa ca;
  static DesktopCa otherCa;
  static TestNode node;

  @BeforeAll
  static void start() throws Exception {
    Path dir = Files.createTempDirectory("deskgate-tls");
    ca = DesktopCa.loadOrCreate(dir.resolve("ca"), "test desktops");
    otherCa = DesktopCa.loadOrCreate(dir.resolve("other-ca"), "someone else");
    Path cert = dir.resolve("desk.pem");
    Path key = dir.resolve("desk.key");
    ca.issue(cert, key, List.of("127.0.0.1", "desk-tls.test"));
    desktop = XvncDesktop.start(dir, XvncDesktop.Spec.simple("tls-desk", PASSWORD, "320x240").withTls(cert, key));
    node = TestNode.start(TestNode.standardInventory(TestNode.closedPort()), Map.of());
  }

  @AfterAll
  static void stop() {
    node.close();
    desktop.close();
  }

  static void register(String id, SecurityMode mode, TlsSettings tls) {
    node.addDesktop(id, new Desktop.ConsoleEndpoint("127.0.0.1", desktop.port(),
        node.node().secrets().seal(PASSWORD, Desktop.passwordSealContext(id)), mode, null, tls, null, null));
  }

  static ConsoleClient open(String id) {
    return ConsoleClient.connect(ConsoleClient.urlWithToken(node, TestNode.tokenOf(node.consoleUrl(id))), null,
        List.of());
  }

  @Test
  void x509VncWithTheDesktopsCaConnects() {
    for (SecurityMode mode : List.of(SecurityMode.VENCRYPT, SecurityMode.AUTO)) {
      String id = "tls-" + mode.configName();
      register(id, mode, new TlsSettings(ca.certFile().toString(), null, null, null, false));
      try (LogCapture log = new LogCapture(); ConsoleClient ws = open(id)) {
        RfbClient rfb = new RfbClient(ws);
        RfbClient.ServerInit init = rfb.handshake();
        assertThat(init.name()).isEqualTo(id);
        assertThat(init.width()).isEqualTo(320);
        assertThat(rfb.framebufferUpdate(init)).isPositive();
        assertThat(log.awaitLine("(security type 261,")).as(mode + ": X509Vnc (261) was used").isTrue();
      }
    }
  }

  @Test
  void theNameOnTheCertificateMayBeGivenAsServerName() {
    register("tls-named", SecurityMode.VENCRYPT,
        new TlsSettings(ca.certFile().toString(), "desk-tls.test", null, null, false));
    try (ConsoleClient ws = open("tls-named")) {
      assertThat(new RfbClient(ws).handshake().name()).isEqualTo("tls-named");
    }
  }

  @Test
  void aCertificateForAnotherNameIsRefused() {
    register("tls-mismatch", SecurityMode.VENCRYPT,
        new TlsSettings(ca.certFile().toString(), "other-desk.test", null, null, false));
    try (ConsoleClient ws = open("tls-mismatch")) {
      ConsoleClient.Close close = ws.awaitClose(WAIT);
      assertThat(close.code()).isEqualTo((short) 4508);
      assertThat(close.reason()).isEqualTo("desktop's certificate is for another name");
      assertThat(ws.bytesReceived()).isZero();
    }
  }

  @Test
  void aCertificateFromAnotherCaIsRefused() {
    register("tls-untrusted", SecurityMode.VENCRYPT,
        new TlsSettings(otherCa.certFile().toString(), null, null, null, false));
    try (ConsoleClient ws = open("tls-untrusted")) {
      ConsoleClient.Close close = ws.awaitClose(WAIT);
      assertThat(close.code()).isEqualTo((short) 4507);
      assertThat(close.reason()).isEqualTo("desktop's certificate is not trusted");
    }
    register("tls-jvm-trust", SecurityMode.VENCRYPT, TlsSettings.DEFAULT);
    try (ConsoleClient ws = open("tls-jvm-trust")) {
      assertThat(ws.awaitClose(WAIT).code()).as("the JVM's CAs do not know the desktop's").isEqualTo((short) 4507);
    }
  }

  @Test
  void anonymousTlsOnlyWhenTheDesktopAllowsIt() throws Exception {
    Path dir = Files.createTempDirectory("deskgate-anon-tls");
    try (XvncDesktop anonymous = XvncDesktop.start(dir, new XvncDesktop.Spec("anon-desk", PASSWORD, "320x240", 24,
        XvncDesktop.DEFAULT_COMMAND, 0, 0, false, null, null, XvncDesktop.LOOPBACK).withAnonymousTls())) {
      for (boolean allowed : List.of(false, true)) {
        String id = "anon-" + allowed;
        node.addDesktop(id, new Desktop.ConsoleEndpoint("127.0.0.1", anonymous.port(),
            node.node().secrets().seal(PASSWORD, Desktop.passwordSealContext(id)), SecurityMode.VENCRYPT, null,
            new TlsSettings(null, null, null, null, allowed), null, null));
        try (ConsoleClient ws = open(id)) {
          if (allowed) {
            assertThat(new RfbClient(ws).handshake().name()).isEqualTo(id);
          } else {
            assertThat(ws.awaitClose(Duration.ofSeconds(15)).code()).isEqualTo((short) 4509);
          }
        }
      }
    }
  }

  @Test
  void autoWithoutATrustAnchorDoesNotFallBackToAnythingWeaker() {
    register("tls-auto-bare", SecurityMode.AUTO, TlsSettings.DEFAULT);
    try (ConsoleClient ws = open("tls-auto-bare")) {
      assertThat(ws.awaitClose(WAIT).code()).as("only X509Vnc is offered; it fails verification")
          .isEqualTo((short) 4507);
    }
  }
}
