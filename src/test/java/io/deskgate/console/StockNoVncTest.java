package io.deskgate.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.deskgate.provider.XvncDesktop;
import io.deskgate.testing.BrowserCheck;
import io.deskgate.testing.TestNode;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Stock noVNC pages, as OpenStack operators point them at a proxy ({@code vnc_lite.html?path=...}),
 * against a TigerVNC desktop that requires a VNC password: Debian's noVNC 1.3 page, and the same page
 * over noVNC 1.7's core (the 1.7 page itself is in no registry reachable here). Both connect with no
 * password prompt, because Deskgate passes the desktop's security itself. A stock page knows nothing of
 * Deskgate's view-only mode, so it also shows that Deskgate, not the page, enforces it.
 */
class StockNoVncTest {

  static final Path SHOTS = Path.of("target/browser-screenshots");
  static final Path DEBIAN_NOVNC = Path.of("/usr/share/novnc");
  static final Path NOVNC_17 = Path.of("target/stock-novnc-1.7");
  static XvncDesktop desktop;
  static TestNode node;

  @BeforeAll
  static void start() throws Exception {
    Files.createDirectories(SHOTS);
    desktop = XvncDesktop.start(Files.createTempDirectory("deskgate-xvnc"), "stock-desk", "stock-pw1", "800x600");
    node = TestNode.start(TestNode.standardInventory(desktop.port()).replace(
            "dev-01, user_name: alice, console: {host: 127.0.0.1, port: " + desktop.port() + "}",
            "dev-01, user_name: alice, console: {host: 127.0.0.1, port: " + desktop.port() + ", password: stock-pw1}"),
        Map.of("DESKGATE_CONSOLE_ALLOWED_ORIGINS", "*"));
    assembleNoVnc17();
  }

  @AfterAll
  static void stop() {
    node.close();
    desktop.close();
  }

  /** Debian's stock vnc_lite.html over the noVNC 1.7 core that Deskgate's jar carries (from npm). */
  static void assembleNoVnc17() throws IOException {
    Path core = Path.of("target/classes/web/console/novnc");
    copyTree(core, NOVNC_17);
    Files.copy(DEBIAN_NOVNC.resolve("vnc_lite.html"), NOVNC_17.resolve("vnc_lite.html"),
        StandardCopyOption.REPLACE_EXISTING);
    assertThat(Files.readString(NOVNC_17.resolve("core/rfb.js"))).as("noVNC 1.7's core").contains("extendedClipboard");
  }

  static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path f : files.toList()) {
        Path target = to.resolve(from.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(target);
        } else {
          Files.copy(f, target, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }

  /** The stock page's URL for a console token, as Nova builds it: the proxy's path with the token in it. */
  static String stockUrl(String consoleUrl) {
    String token = TestNode.tokenOf(consoleUrl);
    URI base = URI.create(node.baseUrl());
    return "{served}/vnc_lite.html?host=" + base.getHost() + "&port=" + base.getPort() + "&path="
        + URLEncoder.encode("vnc/console/websockify?token=" + token, StandardCharsets.UTF_8);
  }

  static JsonObject connect(Path pageDir, String consoleUrl, String shot, String typed, String... extra) {
    String[] args = Stream.concat(Stream.of("--serve", pageDir.toAbsolutePath().toString(), "--stock"),
        Stream.of(extra)).toArray(String[]::new);
    try (BrowserCheck browser = BrowserCheck.open(stockUrl(consoleUrl), SHOTS.resolve(shot), "connected", null, typed,
        args)) {
      return browser.next();
    }
  }

  @Test
  void debiansNoVnc13PageConnectsWithNoPasswordPrompt() {
    JsonObject page = connect(DEBIAN_NOVNC, node.consoleUrl(TestNode.DESKTOP), "stock-1.3.png",
        "echo stock-page-typing");
    assertThat(page.getString("state")).as(page.encodePrettily()).isEqualTo("connected");
    assertThat(page.getString("status")).startsWith("Connected").contains("dev-01");
    assertThat(page.getJsonArray("dialogs")).as("no password prompt").isEmpty();
    assertThat(page.getBoolean("screenChangedByTyping")).as("a full console takes keys").isTrue();
  }

  @Test
  void theStockPageOverNoVnc17ConnectsWithNoPasswordPrompt() {
    JsonObject page = connect(NOVNC_17, node.consoleUrl(TestNode.DESKTOP), "stock-1.7.png", null,
        "--secret", "dev-01");
    assertThat(page.getString("state")).as(page.encodePrettily()).isEqualTo("connected");
    assertThat(page.getJsonArray("dialogs")).as("no password prompt").isEmpty();
    assertThat(page.getBoolean("secretSeen")).as("the desktop's name arrived in a WebSocket frame (the check "
        + "sees frames)").isTrue();
  }

  @Test
  void aViewOnlyConsoleIgnoresTypingOnAPageThatDoesNotKnowItIsViewOnlyWhileTheScreenUpdates() throws Exception {
    String[] args = {"--serve", DEBIAN_NOVNC.toString(), "--stock", "--watch-ms", "20000"};
    try (BrowserCheck browser = BrowserCheck.open(stockUrl(node.viewConsoleUrl(TestNode.DESKTOP)),
        SHOTS.resolve("stock-view-only.png"), "connected", null, "echo typed-into-a-view-only-console", args)) {
      JsonObject page = browser.next();
      assertThat(page.getString("state")).as(page.encodePrettily()).isEqualTo("connected");
      assertThat(page.getBoolean("screenChangedByTyping")).as("typing reached the desktop").isFalse();
      // a window opened on the desktop itself: the view-only page must show it
      ProcessBuilder xterm = new ProcessBuilder("xterm", "-geometry", "30x5+200+200", "-bg", "red")
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
      xterm.environment().put("DISPLAY", ":" + desktop.display());
      Process window = xterm.start();
      try {
        JsonObject later = browser.next();
        assertThat(later.getBoolean("screenChangedLater")).as("the screen still updates").isTrue();
      } finally {
        window.destroy();
        window.waitFor();
      }
    }
  }
}
