package io.deskgate.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.deskgate.desktop.Desktop;
import io.deskgate.rfb.SecurityMode;
import io.deskgate.rfb.ServerHandshake;
import io.deskgate.rfb.TlsSettings;
import io.deskgate.testing.ConsoleClient;
import io.deskgate.testing.RfbClient;
import io.deskgate.testing.ScriptedDesktop;
import io.deskgate.testing.ScriptedRfb;
import io.deskgate.testing.TestNode;
import java.io.DataInputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * VNC servers that are broken or hostile, scripted byte by byte: each console ends within the handshake
 * deadline with the close code that says what went wrong, and the browser receives nothing from such a
 * desktop: not a byte of its banner, its failure text or its garbage.
 */
class HostileDesktopTest {

  static final Duration WAIT = Duration.ofSeconds(15);
  static final int DEADLINE_SECONDS = 2;
  static TestNode node;

  @BeforeAll
  static void start() {
    node = TestNode.start(TestNode.standardInventory(TestNode.closedPort()),
        Map.of("DESKGATE_CONSOLE_HANDSHAKE_TIMEOUT_SECONDS", String.valueOf(DEADLINE_SECONDS)));
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  static byte[] u32(long v) {
    return ByteBuffer.allocate(4).putInt((int) v).array();
  }

  static void write(OutputStream out, byte[]... parts) throws java.io.IOException {
    for (byte[] p : parts) {
      out.write(p);
    }
    out.flush();
  }

  /** Opens a console on a desktop run by {@code script}; returns its close, having checked the browser got nothing. */
  static ConsoleClient.Close console(String id, ScriptedDesktop.Script script, String password) {
    try (ScriptedDesktop desktop = new ScriptedDesktop(script)) {
      node.addDesktop(id, new Desktop.ConsoleEndpoint("127.0.0.1", desktop.port(),
          password == null ? null : node.node().secrets().seal(password, Desktop.passwordSealContext(id)),
          SecurityMode.AUTO, null, TlsSettings.DEFAULT, null, null));
      String token = TestNode.tokenOf(node.consoleUrl(id));
      long start = System.nanoTime();
      try (ConsoleClient ws = ConsoleClient.connect(ConsoleClient.urlWithToken(node, token), null, List.of())) {
        ConsoleClient.Close close = ws.awaitClose(WAIT);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as(id + ": ended within the deadline")
            .isLessThan(Duration.ofSeconds(DEADLINE_SECONDS + 2));
        assertThat(ws.bytesReceived()).as(id + ": the browser received nothing of the desktop's, at most "
            + "Deskgate's greeting").isIn(0, ServerHandshake.GREETING.length);
        return close;
      }
    }
  }

  @Test
  void aServerThatIsNotVnc() {
    ConsoleClient.Close close = console("ssh", (in, out) -> {
      write(out, ascii("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n"));
      in.read();
    }, null);
    assertThat(close.code()).isEqualTo((short) 4505);
    assertThat(close.reason()).isEqualTo("desktop is not a VNC server");
  }

  @Test
  void anEndlessFailureReasonIsCutAtItsBound() {
    long[] pushed = new long[1];
    ConsoleClient.Close close = console("endless-reason", (in, out) -> {
      write(out, ascii("RFB 003.008\n"));
      new DataInputStream(in).readFully(new byte[12]);
      write(out, new byte[] {0}, u32(0xffffffffL));
      byte[] junk = new byte[65536];
      java.util.Arrays.fill(junk, (byte) 'A');
      while (pushed[0] < (4L << 30)) {
        out.write(junk);
        pushed[0] += junk.length;
      }
    }, null);
    assertThat(close.code()).isEqualTo((short) 4505);
    assertThat(pushed[0]).as("bytes the desktop could push before Deskgate hung up").isLessThan(64L << 20);
  }

  @Test
  void aDripFedHandshakeMeetsTheDeadline() {
    ConsoleClient.Close close = console("drip", (in, out) -> {
      for (byte b : ascii("RFB 003.008\n")) {
        out.write(b);
        out.flush();
        Thread.sleep(400);
      }
      in.read();
    }, null);
    assertThat(close.code()).isEqualTo((short) 4504);
    assertThat(close.reason()).isEqualTo("desktop did not complete the RFB handshake in time");
  }

  @Test
  void twoHundredFiftyFiveSecurityTypesNoneOfThemUsable() {
    ConsoleClient.Close close = console("many-types", (in, out) -> {
      write(out, ascii("RFB 003.008\n"));
      new DataInputStream(in).readFully(new byte[12]);
      byte[] types = new byte[256];
      types[0] = (byte) 255;
      for (int i = 1; i <= 255; i++) {
        types[i] = (byte) (i < 3 || i == 19 ? 30 + i : i);
      }
      write(out, types);
      in.read();
    }, null);
    assertThat(close.code()).isEqualTo((short) 4509);
    assertThat(close.reason()).isEqualTo("no security type in common with the desktop");
  }

  @Test
  void garbageAfterServerInit() {
    ConsoleClient.Close close = console("garbage", (in, out) -> {
      DataInputStream data = new DataInputStream(in);
      write(out, ascii("RFB 003.008\n"));
      data.readFully(new byte[12]);
      write(out, new byte[] {1, 1});
      data.readFully(new byte[1]);
      write(out, u32(0));
      data.readFully(new byte[1]);
      write(out, ScriptedRfb.serverInit("evil"), ascii("HTTP/1.1 200 OK\r\n\r\n<html>"));
      in.read();
    }, null);
    assertThat(close.code()).isEqualTo((short) 4512);
    assertThat(close.reason()).isEqualTo("desktop broke the RFB protocol");
  }

  @Test
  void garbageAfterAPauseReachesNoBrowserEither() throws Exception {
    try (ScriptedDesktop desktop = ScriptedDesktop.recording((in, out) -> {
      Thread.sleep(300);
      write(out, new byte[] {2});
      Thread.sleep(200);
      write(out, ascii("<script>alert(1)</script>"));
    })) {
      node.addDesktop("late-garbage", desktop.port());
      try (ConsoleClient ws = ConsoleClient.connect(ConsoleClient.urlWithToken(node,
          TestNode.tokenOf(node.consoleUrl("late-garbage"))), null, List.of())) {
        new RfbClient(ws).handshake();
        ConsoleClient.Close close = ws.awaitClose(WAIT);
        assertThat(close.code()).isEqualTo((short) 4512);
        int handshake = 12 + 2 + 4 + ScriptedRfb.serverInit("late-garbage").length;
        assertThat(ws.bytesReceived()).as("Deskgate's handshake and the Bell, no garbage")
            .isBetween(handshake, handshake + 1);
      }
    }
  }

  @Test
  void aRefusedPasswordAndABlacklistedAddressAreToldApart() {
    ConsoleClient.Close refused = console("wrong-password", (in, out) -> {
      DataInputStream data = new DataInputStream(in);
      write(out, ascii("RFB 003.008\n"));
      data.readFully(new byte[12]);
      write(out, new byte[] {1, 2});
      data.readFully(new byte[1]);
      write(out, new byte[16]);
      data.readFully(new byte[16]);
      write(out, u32(1), u32(21), ascii("Authentication failed"));
      in.read();
    }, "not-it");
    assertThat(refused.code()).isEqualTo((short) 4506);
    assertThat(refused.reason()).isEqualTo("desktop refused Deskgate's credentials");

    ConsoleClient.Close blacklisted = console("blacklisted", (in, out) -> {
      write(out, ascii("RFB 003.008\n"));
      new DataInputStream(in).readFully(new byte[12]);
      write(out, new byte[] {0}, u32(26), ascii("Too many security failures"));
      in.read();
    }, null);
    assertThat(blacklisted.code()).isEqualTo((short) 4511);
  }
}
