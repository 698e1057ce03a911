package io.deskgate.console;

import static io.deskgate.testing.TestNode.BOB_DESKTOP;
import static io.deskgate.testing.TestNode.DESKTOP;
import static org.assertj.core.api.Assertions.assertThat;

import io.deskgate.desktop.Desktop;
import io.deskgate.provider.XvncDesktop;
import io.deskgate.rfb.SecurityMode;
import io.deskgate.rfb.TlsSettings;
import io.deskgate.testing.BrowserCheck;
import io.deskgate.testing.TestNode;
import io.deskgate.testing.Workspace;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A real browser (headless Chromium) opening the URL that the remote-console API answers, against
 * real TigerVNC desktops: it reaches the connected state with a drawn screen, and shows the user
 * clear messages, in the URL's language, when it cannot.
 */
class BrowserConsoleTest {

  static final Path SHOTS = Path.of("target/browser-screenshots");
  static XvncDesktop open;
  static XvncDesktop locked;
  static TestNode node;

  @BeforeAll
  static void start() throws Exception {
    Files.createDirectories(SHOTS);
    Path run = Files.createTempDirectory("deskgate-xvnc");
    open = XvncDesktop.start(run, "browser-open", null, "1024x768");
    locked = XvncDesktop.start(run, "browser-locked", "pa55word", "1024x768");
    String inventory = TestNode.standardInventory(open.port()).replace(
        "dev-02, user_name: bob, console: {host: 127.0.0.1, port: " + open.port() + "}",
        "dev-02, user_name: bob, console: {host: 127.0.0.1, port: " + locked.port() + ", password: \"pa55word\"}");
    node = TestNode.start(inventory);
  }

  @AfterAll
  static void stop() {
    node.close();
    open.close();
    locked.close();
  }

  @Test
  void theUrlFromTheApiShowsTheDesktopTakesKeyboardInputAndLeavesNoTokenInTheAddressBar() {
    String url = node.consoleUrl(DESKTOP);
    try (BrowserCheck browser = BrowserCheck.open(url, SHOTS.resolve("connected.png"), "connected", null,
        "echo typed-through-deskgate")) {
      JsonObject page = browser.next();
      assertThat(page.getString("state")).as(page.encodePrettily()).isEqualTo("connected");
      assertThat(page.getString("status")).isEqualTo("Connected to dev-01");
      JsonObject canvas = page.getJsonObject("canvas");
      assertThat(canvas.getInteger("width")).isEqualTo(1024);
      assertThat(canvas.getInteger("distinctColors")).isGreaterThanOrEqualTo(2);
      assertThat(canvas.getDouble("dominantFraction")).isLessThan(0.99);
      assertThat(canvas.getDouble("lumaStddev")).isGreaterThanOrEqualTo(1.0);
      assertThat(page.getString("href")).doesNotContain(TestNode.tokenOf(url)).doesNotContain("token=").endsWith("?lang=EN");
      assertThat(page.getBoolean("screenChangedByTyping")).as("keyboard input reaches the desktop").isTrue();
    }
    assertThat(SHOTS.resolve("connected.png")).isNotEmptyFile();
  }

  @Test
  void aDesktopWithAVncPasswordConnectsWithTheCredentialsDeskgateHoldsAndThePageNeverSeesThem() {
    String url = node.consoleUrl(BOB_DESKTOP);
    try (BrowserCheck browser = BrowserCheck.open(url, SHOTS.resolve("vnc-password.png"), "connected", null, null,
        "--secret", "pa55word")) {
      JsonObject page = browser.next();
      assertThat(page.getString("state")).as(page.encodePrettily()).isEqualTo("connected");
      assertThat(page.getJsonObject("canvas").getDouble("dominantFraction")).as("the desktop is drawn").isLessThan(0.99);
      assertThat(page.getBoolean("secretSeen")).as("the password in any response body or WebSocket frame").isFalse();
      assertThat(page.getJsonArray("received").getString(0)).as("the page's session call")
          .startsWith("200 session").contains("\"computer_name\":\"dev-02\"").doesNotContain("password")
          .doesNotContain("credentials");
    }
  }

  @Test
  void aUsedLinkSaysSoInTheChosenLanguage() {
    String url = node.consoleUrl(DESKTOP).replace("lang=EN", "lang=ZH-CN");
    try (BrowserCheck first = BrowserCheck.open(url, SHOTS.resolve("first-use.png"), "connected", null)) {
      assertThat(first.next().getString("state")).isEqualTo("connected");
    }
    try (BrowserCheck again = BrowserCheck.open(url, SHOTS.resolve("used-zh.png"), "failed", null)) {
      JsonObject page = again.next();
      assertThat(page.getString("message")).isEqualTo("tokenRefused");
      assertThat(page.getString("status")).isEqualTo("此远程登录链接已过期或已被使用，请重新获取。");
      assertThat(page.getString("lang")).isEqualTo("zh-CN");
    }
  }

  @Test
  void anUnreachableDesktopIsReportedAsSuch() throws Exception {
    node.addDesktop("gone", TestNode.closedPort());
    try (BrowserCheck browser = BrowserCheck.open(node.consoleUrl("gone"), SHOTS.resolve("unreachable.png"), "failed", null)) {
      JsonObject page = browser.next();
      assertThat(page.getString("message")).isEqualTo("unreachable");
      assertThat(page.getString("status"))
          .isEqualTo("The desktop cannot be reached. It may be stopped or its console service is down.");
    }
  }

  @Test
  void whenTheDesktopGoesAwayThePageSaysDisconnected() throws Exception {
    XvncDesktop doomed = XvncDesktop.start(Files.createTempDirectory("deskgate-xvnc"), "doomed", null, "800x600");
    node.addDesktop("doomed", doomed.port());
    try (BrowserCheck browser = BrowserCheck.open(node.consoleUrl("doomed"), SHOTS.resolve("disconnected.png"),
        "connected", "disconnected")) {
      assertThat(browser.next().getString("state")).isEqualTo("connected");
      doomed.close();
      JsonObject page = browser.next();
      assertThat(page.getString("message")).isEqualTo("disconnected");
      assertThat(page.getString("status")).isEqualTo("Disconnected from the desktop.");
    } finally {
      doomed.close();
    }
  }

  @Test
  void withTakeoverTheSecondBrowserEndsTheFirstWhichSaysSo() {
    node.addDesktop("takeover", viewers("takeover"));
    try (BrowserCheck first = BrowserCheck.open(node.consoleUrl("takeover"), SHOTS.resolve("taken-over.png"),
        "connected", "disconnected")) {
      assertThat(first.next().getString("state")).isEqualTo("connected");
      try (BrowserCheck second = BrowserCheck.open(node.consoleUrl("takeover"), SHOTS.resolve("took-over.png"),
          "connected", null)) {
        JsonObject taker = second.next();
        assertThat(taker.getString("state")).as(taker.encodePrettily()).isEqualTo("connected");
        JsonObject taken = first.next();
        assertThat(taken.getString("message")).as(taken.encodePrettily()).isEqualTo("takenOver");
        assertThat(taken.getString("status")).isEqualTo("Another console took over this desktop.");
      }
    }
  }

  @Test
  void withExclusiveTheSecondBrowserIsToldTheDesktopIsBusyWhileTheFirstStays() {
    node.addDesktop("exclusive", viewers("exclusive"));
    try (BrowserCheck first = BrowserCheck.open(node.consoleUrl("exclusive"), SHOTS.resolve("exclusive-first.png"),
        "connected", "disconnected")) {
      assertThat(first.next().getString("state")).isEqualTo("connected");
      try (BrowserCheck second = BrowserCheck.open(node.consoleUrl("exclusive"), SHOTS.resolve("exclusive-busy.png"),
          "failed", null)) {
        JsonObject refused = second.next();
        assertThat(refused.getString("message")).as(refused.encodePrettily()).isEqualTo("busy");
        assertThat(refused.getString("status")).isEqualTo("Another console is open on this desktop.");
      }
      String admin = node.token("alice", "alice-pass-1", TestNode.PROJECT);
      String sessionId = Workspace.until(
          () -> new JsonObject(node.get("/v2/" + TestNode.PROJECT + "/console-sessions", "X-Auth-Token", admin).body())
              .getJsonArray("sessions").stream().map(JsonObject.class::cast)
              .filter(s -> s.getString("desktop_id").equals("exclusive")).map(s -> s.getString("session_id"))
              .findFirst().orElse(null),
          id -> id != null, Duration.ofSeconds(10), "the first console, still live");
      assertThat(node.send(node.request("/v2/" + TestNode.PROJECT + "/console-sessions/" + sessionId)
          .header("X-Auth-Token", admin).DELETE()).statusCode()).isEqualTo(204);
      JsonObject ended = first.next();
      assertThat(ended.getString("message")).as(ended.encodePrettily()).isEqualTo("endedByAdmin");
    }
  }

  static Desktop.ConsoleEndpoint viewers(String policy) {
    return new Desktop.ConsoleEndpoint("127.0.0.1", open.port(), null, SecurityMode.AUTO, null, TlsSettings.DEFAULT,
        null, policy);
  }
}
