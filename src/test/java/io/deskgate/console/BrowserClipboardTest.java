package io.deskgate.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.deskgate.desktop.Desktop;
import io.deskgate.provider.XvncDesktop;
import io.deskgate.rfb.SecurityMode;
import io.deskgate.rfb.TlsSettings;
import io.deskgate.testing.BrowserCheck;
import io.deskgate.testing.TestNode;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The clipboard policy in a real browser on a real TigerVNC desktop: with {@code both}, text pasted on
 * the page reaches the desktop's clipboard and text copied on the desktop (xclip) reaches the page;
 * with {@code none}, neither does.
 */
class BrowserClipboardTest {

  static final Path SHOTS = Path.of("target/browser-screenshots");
  static final Duration WAIT = Duration.ofSeconds(10);
  static XvncDesktop desktop;
  static TestNode node;

  @BeforeAll
  static void start() throws Exception {
    Files.createDirectories(SHOTS);
    desktop = XvncDesktop.start(Files.createTempDirectory("deskgate-xvnc"), "clip-desk", null, "800x600");
    node = TestNode.start(TestNode.standardInventory(desktop.port()));
    for (String policy : new String[] {"both", "none"}) {
      node.addDesktop("clip-" + policy, new Desktop.ConsoleEndpoint("127.0.0.1", desktop.port(), null,
          SecurityMode.AUTO, null, TlsSettings.DEFAULT, policy, null));
    }
  }

  @AfterAll
  static void stop() {
    node.close();
    desktop.close();
  }

  /** The desktop's clipboard as its X server has it ("" when nobody owns it). */
  static String desktopClipboard() throws IOException, InterruptedException {
    Process p = xclip("-o", "-selection", "clipboard").start();
    byte[] out = p.getInputStream().readAllBytes();
    p.waitFor(5, TimeUnit.SECONDS);
    return p.exitValue() == 0 ? new String(out, StandardCharsets.UTF_8) : "";
  }

  static ProcessBuilder xclip(String... args) {
    ProcessBuilder b = new ProcessBuilder();
    b.command().add("xclip");
    b.command().addAll(java.util.List.of(args));
    b.environment().put("DISPLAY", ":" + desktop.display());
    return b.redirectError(ProcessBuilder.Redirect.DISCARD);
  }

  /** Copies {@code text} on the desktop: xclip owns the clipboard until it is stopped. */
  static Process copyOnDesktop(String text) throws IOException {
    Process owner = xclip("-quiet", "-selection", "clipboard", "-i").redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start();
    owner.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
    owner.getOutputStream().close();
    return owner;
  }

  static String awaitDesktopClipboard(String wanted, Duration wait) throws Exception {
    long deadline = System.nanoTime() + wait.toNanos();
    String seen = desktopClipboard();
    while (!seen.equals(wanted) && System.nanoTime() < deadline) {
      Thread.sleep(100);
      seen = desktopClipboard();
    }
    return seen;
  }

  @Test
  void withBothTheClipboardFlowsEachWay() throws Exception {
    try (BrowserCheck browser = BrowserCheck.open(node.consoleUrl("clip-both"), SHOTS.resolve("clipboard-both.png"),
        "connected", null, null, "--paste", "pasted-on-the-page-1", "--clipboard-ms", "15000")) {
      JsonObject page = browser.next();
      assertThat(page.getString("state")).as(page.encodePrettily()).isEqualTo("connected");
      assertThat(awaitDesktopClipboard("pasted-on-the-page-1", WAIT)).isEqualTo("pasted-on-the-page-1");
      Process owner = copyOnDesktop("copied-on-the-desktop-1");
      try {
        assertThat(browser.next().getString("clipboard")).isEqualTo("copied-on-the-desktop-1");
      } finally {
        owner.destroy();
      }
    }
  }

  @Test
  void withNoneNeitherWayGetsThrough() throws Exception {
    try (BrowserCheck browser = BrowserCheck.open(node.consoleUrl("clip-none"), SHOTS.resolve("clipboard-none.png"),
        "connected", null, null, "--paste", "pasted-on-the-page-2", "--clipboard-ms", "4000")) {
      JsonObject page = browser.next();
      assertThat(page.getString("state")).as(page.encodePrettily()).isEqualTo("connected");
      Process owner = copyOnDesktop("copied-on-the-desktop-2");
      try {
        assertThat(browser.next().getString("clipboard")).as("the desktop's clipboard on the page").isNull();
        assertThat(desktopClipboard()).as("the owner on the desktop is xclip, as set").isEqualTo("copied-on-the-desktop-2");
      } finally {
        owner.destroy();
      }
      assertThat(awaitDesktopClipboard("pasted-on-the-page-2", Duration.ofSeconds(2)))
          .as("the page's paste on the desktop").isNotEqualTo("pasted-on-the-page-2");
    }
  }
}
