package io.deskgate.proxy;

import static io.deskgate.testing.RfbMessages.all;
import static io.deskgate.testing.RfbMessages.cutText;
import static io.deskgate.testing.RfbMessages.setEncodings;
import static org.assertj.core.api.Assertions.assertThat;

import io.deskgate.desktop.Desktop;
import io.deskgate.rfb.SecurityMode;
import io.deskgate.rfb.TlsSettings;
import io.deskgate.testing.ConsoleClient;
import io.deskgate.testing.RfbClient;
import io.deskgate.testing.ScriptedDesktop;
import io.deskgate.testing.TestNode;
import io.deskgate.testing.Workspace;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Console policy enforced by parsing the RFB stream, against scripted desktops that record what reaches
 * them: view-only consoles, clipboard directions, SetEncodings rewritten where the stream is scanned,
 * and one desktop's viewers (shared, exclusive, takeover).
 */
class ConsolePolicyTest {

  static final Duration WAIT = Duration.ofSeconds(15);
  static final byte[] UPDATE_REQUEST = {3, 1, 0, 0, 0, 0, 0, 10, 0, 10};
  static final byte[] KEY = {4, 1, 0, 0, 0, 0, 0, 0x61};
  static final byte[] POINTER = {5, 1, 0, 10, 0, 20};
  static TestNode node;

  @BeforeAll
  static void start() {
    node = TestNode.start(TestNode.standardInventory(TestNode.closedPort()), Map.of());
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  static void register(String id, ScriptedDesktop desktop, String clipboard, String viewers) {
    node.addDesktop(id, new Desktop.ConsoleEndpoint("127.0.0.1", desktop.port(), null, SecurityMode.AUTO, null,
        TlsSettings.DEFAULT, clipboard, viewers));
  }

  static ConsoleClient open(String consoleUrl) {
    return ConsoleClient.connect(ConsoleClient.urlWithToken(node, TestNode.tokenOf(consoleUrl)), null, List.of());
  }

  static byte[] awaitReceived(ScriptedDesktop desktop, int bytes) {
    return Workspace.until(desktop::received, r -> r.length >= bytes, WAIT, "bytes at the desktop");
  }

  @Test
  void aViewOnlyConsoleShowsTheScreenButNoInputReachesTheDesktop() {
    try (ScriptedDesktop desktop = ScriptedDesktop.recording((in, out) -> { })) {
      register("view-only", desktop, null, null);
      try (ConsoleClient ws = open(node.viewConsoleUrl("view-only"))) {
        new RfbClient(ws).handshake();
        ws.send(all(KEY, POINTER, cutText(6, "typed"), UPDATE_REQUEST, KEY, UPDATE_REQUEST));
        assertThat(awaitReceived(desktop, 2 * UPDATE_REQUEST.length)).isEqualTo(all(UPDATE_REQUEST, UPDATE_REQUEST));
      }
      try (ConsoleClient ws = open(node.consoleUrl("view-only"))) {
        new RfbClient(ws).handshake();
        ws.send(KEY);
        assertThat(awaitReceived(desktop, 2 * UPDATE_REQUEST.length + KEY.length)).as("a full console types")
            .endsWith(KEY);
      }
    }
  }

  @Test
  void theViewModeIsShownInTheSessionList() {
    try (ScriptedDesktop desktop = ScriptedDesktop.recording((in, out) -> { })) {
      register("listed", desktop, null, null);
      try (ConsoleClient ws = open(node.viewConsoleUrl("listed"))) {
        new RfbClient(ws).handshake();
        String admin = node.token("alice", "alice-pass-1", TestNode.PROJECT);
        JsonObject session = Workspace.until(() -> new JsonObject(node.get("/v2/" + TestNode.PROJECT
                + "/console-sessions", "X-Auth-Token", admin).body()).getJsonArray("sessions").stream()
                .map(JsonObject.class::cast).filter(s -> s.getString("desktop_id").equals("listed")).findFirst()
                .orElse(null),
            s -> s != null, WAIT, "the view-only session listed");
        assertThat(session.getString("mode")).isEqualTo("view");
      }
    }
  }

  @Test
  void aClosedClipboardStopsCutTextBothWaysAndTheStreamIsScanned() {
    byte[] fromDesktop = cutText(3, "desktop secret");
    byte[] bell = {2};
    try (ScriptedDesktop desktop = ScriptedDesktop.recording((in, out) -> {
      Thread.sleep(300);
      out.write(all(fromDesktop, bell));
      out.flush();
    })) {
      register("no-clipboard", desktop, "none", null);
      try (ConsoleClient ws = open(node.consoleUrl("no-clipboard"))) {
        new RfbClient(ws).handshake();
        ws.send(all(setEncodings(21, 7, 16, 0, -239, 0xC0A1E5CE, 50), cutText(6, "page secret"), KEY));
        assertThat(awaitReceived(desktop, 4 * 5 + KEY.length)).as("JPEG, H.264 and the extended clipboard removed")
            .isEqualTo(all(setEncodings(7, 16, 0, -239), KEY));
        assertThat(ws.read(1, WAIT)).as("the Bell, without the cut text before it").isEqualTo(bell);
      }
    }
  }

  @Test
  void anOpenClipboardPassesCutTextAndEveryEncoding() {
    byte[] fromDesktop = cutText(3, "desktop text");
    try (ScriptedDesktop desktop = ScriptedDesktop.recording((in, out) -> {
      Thread.sleep(300);
      out.write(fromDesktop);
      out.flush();
    })) {
      register("clipboard", desktop, "both", null);
      try (ConsoleClient ws = open(node.consoleUrl("clipboard"))) {
        new RfbClient(ws).handshake();
        byte[] sent = all(setEncodings(21, 7, 0xC0A1E5CE, 50), cutText(6, "page text"));
        ws.send(sent);
        assertThat(awaitReceived(desktop, sent.length)).isEqualTo(sent);
        assertThat(ws.read(fromDesktop.length, WAIT)).isEqualTo(fromDesktop);
      }
    }
  }

  @Test
  void anExclusiveDesktopRefusesASecondConsoleAndTakeoverEndsTheFirst() {
    try (ScriptedDesktop desktop = ScriptedDesktop.recording((in, out) -> { })) {
      register("exclusive", desktop, null, "exclusive");
      try (ConsoleClient first = open(node.consoleUrl("exclusive"))) {
        new RfbClient(first).handshake();
        try (ConsoleClient second = open(node.consoleUrl("exclusive"))) {
          ConsoleClient.Close close = second.awaitClose(WAIT);
          assertThat(close.code()).isEqualTo((short) 4423);
          assertThat(close.reason()).isEqualTo("another console is open on this desktop");
        }
        assertThat(first.isClosed()).isFalse();
      }

      register("takeover", desktop, null, "takeover");
      try (ConsoleClient first = open(node.consoleUrl("takeover"))) {
        new RfbClient(first).handshake();
        try (ConsoleClient second = open(node.consoleUrl("takeover"))) {
          new RfbClient(second).handshake();
          ConsoleClient.Close close = first.awaitClose(WAIT);
          assertThat(close.code()).isEqualTo((short) 4424);
          assertThat(close.reason()).isEqualTo("another console took over this desktop");
          assertThat(second.isClosed()).isFalse();
        }
      }

      register("shared", desktop, null, "shared");
      try (ConsoleClient first = open(node.consoleUrl("shared"));
           ConsoleClient second = open(node.consoleUrl("shared"))) {
        new RfbClient(first).handshake();
        new RfbClient(second).handshake();
        assertThat(first.isClosed()).isFalse();
      }
    }
  }

  @Test
  void aViewerMayAskForAViewOnlyConsoleButNotAFullOne() {
    String viewer = node.token("victor", "victor-pass-1", TestNode.PROJECT);
    assertThat(node.remoteConsole(TestNode.PROJECT, TestNode.DESKTOP, "X-Auth-Token", viewer).statusCode())
        .isEqualTo(403);
    assertThat(node.get("/v2/" + TestNode.PROJECT + "/desktops/" + TestNode.DESKTOP
        + "/remote-consoles?console_mode=view", "X-Auth-Token", viewer).statusCode()).isEqualTo(200);
    assertThat(node.get("/v2/" + TestNode.PROJECT + "/desktops/" + TestNode.DESKTOP
        + "/remote-consoles?console_mode=edit", "X-Auth-Token", viewer).statusCode()).isEqualTo(400);
  }
}
