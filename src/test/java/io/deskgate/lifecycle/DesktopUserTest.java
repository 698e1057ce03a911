package io.deskgate.lifecycle;

import static io.deskgate.testing.TestNode.PROJECT;
import static io.deskgate.testing.Workspace.gone;
import static org.assertj.core.api.Assertions.assertThat;

import io.deskgate.testing.BrowserCheck;
import io.deskgate.testing.TestNode;
import io.deskgate.testing.Workspace;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A Deskgate-run desktop's processes run as {@code providers.xvnc.run_as}, not as Deskgate: a user at
 * the desktop types commands into its terminal through a real browser console and cannot read Deskgate's
 * data directory, its secrets key, its store, the desktop's VNC password file or Deskgate's environment.
 */
class DesktopUserTest {

  static final Duration WAIT = Duration.ofSeconds(30);
  static final Path SHOTS = Path.of("target/browser-screenshots");

  TestNode node;
  Path host;

  @BeforeEach
  void openDirectory() throws IOException {
    host = Files.createTempDirectory("deskgate-host");
    Files.setPosixFilePermissions(host, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  @AfterEach
  void stop() throws IOException {
    if (node != null) {
      Workspace ws = admin();
      List<String> ids = node.node().database().runNow(c -> io.deskgate.store.Sql.list(c,
          "SELECT id FROM desktops WHERE provider = 'xvnc'", rs -> rs.getString(1)));
      for (String id : ids) {
        ws.delete(id);
        ws.awaitDesktop(id, gone(), WAIT);
      }
      node.close();
    }
    try (Stream<Path> files = Files.walk(host)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  Workspace admin() {
    return new Workspace(node, node.token("alice", "alice-pass-1", PROJECT), PROJECT);
  }

  @Test
  void whatIsTypedAtTheDesktopRunsAsItsOwnUserAndCannotReadDeskgatesFiles() throws IOException {
    // Deskgate makes its data directory itself, in a directory open to all (as /var/lib or a home is)
    Path data = host.resolve("data");
    node = TestNode.start(TestNode.standardInventory(5999), Map.of(
        "DESKGATE_PROVIDERS_XVNC_PRODUCTS", XvncDesktopsTest.PRODUCTS,
        "DESKGATE_SECRETS_KEY_FILE", data.resolve("secret.key").toString(),
        "DESKGATE_DB_URL", "jdbc:h2:file:" + data.resolve("db"),
        "DESKGATE_PROVIDERS_XVNC_RUN_DIR", data.resolve("xvnc").toString(),
        // the secret a console user must not find in Deskgate's environment
        "DESKGATE_METRICS_TOKEN", "metrics-token-kept-from-desktops"));
    Workspace ws = admin();
    String id = Workspace.createdDesktops(ws.awaitJob(ws.create("small", "alice", "iso-1"), WAIT)).get(0);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data))).isEqualTo("rwx------");
    Path out = Path.of("/tmp", "deskgate-desktop-probe-" + UUID.randomUUID());
    Files.deleteIfExists(out);
    long deskgatePid = ProcessHandle.current().pid();
    String typed = "(id -un; ls " + data + "; cat " + data.resolve("secret.key") + "; head -c 64 " + data
        + "/db.mv.db; cat " + data.resolve("xvnc").resolve(id).resolve("vncpasswd") + "; cat /proc/" + deskgatePid
        + "/environ; env | grep -c DESKGATE_; echo probe-done) > " + out + " 2>&1";
    try (BrowserCheck browser = BrowserCheck.open(node.consoleUrl(id), SHOTS.resolve("desktop-user.png"), "connected",
        null, typed)) {
      JsonObject page = browser.next();
      assertThat(page.getString("state")).as(page.encodePrettily()).isEqualTo("connected");
      String result = Workspace.until(() -> read(out), r -> r.contains("probe-done"), WAIT,
          "the typed commands' output in " + out);
      List<String> lines = result.lines().toList();
      assertThat(lines.get(0)).as(result).isEqualTo("deskgate-desktop");
      assertThat(lines.stream().filter(l -> l.contains("Permission denied")).toList())
          .as("ls, cat secret.key, head of the store, cat vncpasswd, Deskgate's environ: " + result).hasSize(5);
      assertThat(lines.get(lines.size() - 2)).as("DESKGATE_ variables in the desktop's environment").isEqualTo("0");
      byte[] key = Files.readAllBytes(data.resolve("secret.key"));
      assertThat(result).doesNotContain(new String(key, java.nio.charset.StandardCharsets.ISO_8859_1).strip())
          .doesNotContain(HexFormat.of().formatHex(key)).doesNotContain("metrics-token-kept-from-desktops");
      assertThat(Files.getOwner(out).getName()).isEqualTo("deskgate-desktop");
    } finally {
      Files.deleteIfExists(out);
    }
  }

  /**
   * The systemd drop-in for hosts that run xvnc desktops gives a root Deskgate only the capabilities in
   * its CapabilityBoundingSet: with no more than those, the demo desktop starts as the desktop user and
   * stops with Deskgate.
   */
  @Test
  void theDropInsCapabilitiesAreAllADesktopNeeds() throws Exception {
    String dropIn = Files.readString(Path.of("packaging/systemd/xvnc-desktops.conf"));
    String caps = dropIn.lines().filter(l -> l.startsWith("CapabilityBoundingSet=")).findFirst().orElseThrow()
        .substring("CapabilityBoundingSet=".length()).trim();
    String bounding = "-all," + String.join(",", java.util.Arrays.stream(caps.split("\\s+"))
        .map(c -> "+" + c.substring("CAP_".length()).toLowerCase(java.util.Locale.ROOT)).toList());
    assertThat(bounding).isEqualTo("-all,+setuid,+setgid,+kill,+chown");
    List<String> command = new java.util.ArrayList<>(List.of("setpriv", "--bounding-set=" + bounding, "--"));
    command.addAll(TestNode.mainCommand("--demo"));
    ProcessBuilder pb = new ProcessBuilder(command).directory(host.toFile())
        .redirectError(host.resolve("deskgate.log").toFile());
    pb.environment().put("DESKGATE_HTTP_PORT", String.valueOf(TestNode.closedPort()));
    Process deskgate = pb.start();
    try {
      java.io.BufferedReader out = new java.io.BufferedReader(new java.io.InputStreamReader(deskgate.getInputStream()));
      String line;
      while ((line = out.readLine()) != null && !line.startsWith("Open the demo desktop")) {
        // the walkthrough, until the demo desktop runs
      }
      assertThat(line).as("the demo desktop started: " + read(host.resolve("deskgate.log"))).isNotNull();
      Path state = host.resolve("data/xvnc").resolve(io.deskgate.demo.Demo.DESKTOP_ID).resolve("state.json");
      long pid = new JsonObject(Files.readString(state)).getLong("xvnc_pid");
      assertThat(Files.getOwner(Path.of("/proc", String.valueOf(pid))).getName()).isEqualTo("deskgate-desktop");
      deskgate.destroy();
      assertThat(deskgate.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
          .as("the demo desktop stops with Deskgate, which holds only the drop-in's capabilities").isFalse();
    } finally {
      deskgate.destroyForcibly();
    }
  }

  static String read(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file) : "";
    } catch (IOException e) {
      return "";
    }
  }
}
