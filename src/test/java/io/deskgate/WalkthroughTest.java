package io.deskgate;

import static org.assertj.core.api.Assertions.assertThat;

import io.deskgate.testing.BrowserCheck;
import io.deskgate.testing.TestNode;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's walkthrough, as a user follows it: start Deskgate with the demo desktop in an empty
 * directory, run the curl lines it prints, open the console URL they answer in a browser; stop it and
 * see the demo desktop go; reset the admin password and log in with the new one.
 */
class WalkthroughTest {

  @TempDir
  Path dir;

  @Test
  void theFirstStartPrintsAWalkthroughThatWorks() throws Exception {
    int port = io.deskgate.testing.TestNode.closedPort();
    Process deskgate = start(port, "--demo");
    String banner = readBanner(deskgate);
    try {
      assertThat(banner).contains("API base URL   http://127.0.0.1:" + port);
      Matcher password = Pattern.compile("password: (\\S+)   <- shown only now").matcher(banner);
      assertThat(password.find()).as(banner).isTrue();
      Matcher demoUrl = Pattern.compile("(http://\\S+/vnc/console/vnc_auto\\.html\\?token=\\S+&lang=EN)").matcher(banner);
      assertThat(demoUrl.find()).isTrue();
      int vncPort = demoVncPort();
      assertThat(canConnect(vncPort)).as("the demo desktop runs").isTrue();

      assertThat(banner).contains("(valid 10 minutes, once)").contains("in a browser within 10 minutes: it works once");
      JsonObject console = runPrintedLines(banner, "  PASSWORD=", null);
      assertThat(console.getString("type")).isEqualTo("novnc");
      assertThat(console.getString("protocol")).isEqualTo("vnc");
      try (BrowserCheck browser = BrowserCheck.open(console.getString("url"),
          Path.of("target/browser-screenshots/walkthrough.png"), "connected", null)) {
        JsonObject page = browser.next();
        assertThat(page.getString("state")).as(page.encodePrettily()).isEqualTo("connected");
        assertThat(page.getString("status")).isEqualTo("Connected to demo");
      }
      deskgate.destroy();
      assertThat(deskgate.waitFor(30, TimeUnit.SECONDS)).as("stops on SIGTERM").isTrue();
      assertThat(canConnect(vncPort)).as("the demo desktop stops with Deskgate").isFalse();
    } finally {
      deskgate.destroyForcibly();
    }

    Process again = start(port, "--demo");
    try {
      String second = readBanner(again);
      assertThat(second).contains("the one printed at the first start").doesNotContain(password(banner));
      JsonObject console = runPrintedLines(second, "  read -rsp", password(banner) + "\n");
      assertThat(console.getString("type")).as("the lines printed at a later start work as printed, with the "
          + "password typed").isEqualTo("novnc");
    } finally {
      again.destroy();
      again.waitFor(30, TimeUnit.SECONDS);
    }

    Process reset = new ProcessBuilder(TestNode.mainCommand("--reset-admin-password")).directory(dir.toFile())
        .redirectErrorStream(true).start();
    String resetOut = new String(reset.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(reset.waitFor()).as(resetOut).isZero();
    Matcher fresh = Pattern.compile("new password for user admin \\(domain deskgate\\): (\\S+)").matcher(resetOut);
    assertThat(fresh.find()).as(resetOut).isTrue();
    assertThat(fresh.group(1)).isNotEqualTo(password(banner));
  }

  @Test
  void withoutADesktopTheWalkthroughListsTheDesktopsInsteadOfAConsoleCallThatCannotWork() throws Exception {
    int port = io.deskgate.testing.TestNode.closedPort();
    Process deskgate = start(port);
    try {
      String banner = readBanner(deskgate);
      assertThat(banner).doesNotContain("remote-consoles").doesNotContain("DESKTOP_ID")
          .contains("There is no desktop yet: ./deskgate --demo runs a local one");
      JsonObject desktops = runPrintedLines(banner, "  PASSWORD=", null);
      assertThat(desktops.getInteger("total_count")).as(desktops.encode()).isZero();
    } finally {
      deskgate.destroy();
      deskgate.waitFor(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void aBadConfigurationStopsTheStartWithTheKeyName() throws Exception {
    Files.writeString(dir.resolve("bad.yaml"), "http: {prot: 1}\n");
    Process p = new ProcessBuilder(TestNode.mainCommand("--config", "bad.yaml")).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).isEqualTo(2);
    assertThat(out).contains("deskgate: configuration error: unknown key 'http.prot'");
  }

  /** Runs the shell lines of the banner from {@code first} on, typing {@code input}; returns what they answer. */
  private static JsonObject runPrintedLines(String banner, String first, String input) throws Exception {
    int end = banner.indexOf("Open the \"url\"");
    String lines = banner.substring(banner.indexOf(first), end >= 0 ? end : banner.indexOf("There is no desktop"));
    Process shell = new ProcessBuilder("bash", "-c", "set -e\n" + lines).redirectErrorStream(true).start();
    if (input != null) {
      shell.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
    }
    shell.getOutputStream().close();
    String answer = new String(shell.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(shell.waitFor()).as(answer).isZero();
    return new JsonObject(answer.substring(answer.indexOf('{')).trim());
  }

  private static String password(String banner) {
    Matcher m = Pattern.compile("password: (\\S+)   <- shown only now").matcher(banner);
    m.find();
    return m.group(1);
  }

  private Process start(int port, String... args) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(TestNode.mainCommand(args)).directory(dir.toFile())
        .redirectError(dir.resolve("deskgate-" + System.nanoTime() + ".log").toFile());
    pb.environment().put("DESKGATE_HTTP_PORT", String.valueOf(port));
    return pb.start();
  }

  /** Everything Deskgate prints on stdout up to the end of its walkthrough. */
  private static String readBanner(Process p) throws IOException {
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    StringBuilder sb = new StringBuilder();
    for (String line; (line = out.readLine()) != null; ) {
      sb.append(line).append('\n');
      if (line.startsWith("Open the \"url\"") || line.startsWith("  Log in with") || line.startsWith("There is no desktop")) {
        return sb.toString();
      }
    }
    throw new IllegalStateException("Deskgate exited before printing its walkthrough:\n" + sb);
  }

  private int demoVncPort() throws IOException {
    Path state = dir.resolve("data/xvnc").resolve(io.deskgate.demo.Demo.DESKTOP_ID).resolve("state.json");
    return new JsonObject(Files.readString(state)).getInteger("port");
  }

  private static boolean canConnect(int port) {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
