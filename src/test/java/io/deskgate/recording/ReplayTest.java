package io.deskgate.recording;

import static io.deskgate.testing.TestNode.PROJECT;
import static org.assertj.core.api.Assertions.assertThat;

import io.deskgate.provider.XvncDesktop;
import io.deskgate.testing.BrowserCheck;
import io.deskgate.testing.LogCapture;
import io.deskgate.testing.TestNode;
import io.deskgate.testing.Workspace;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A console on a real TigerVNC desktop, typed into through a real browser and recorded, then replayed
 * on the replay page in headless Chromium: the end of the playback shows the live console's final frame,
 * an earlier point does not, pause holds the position and seeking works both ways; the input is drawn
 * over the screen. Replay links are one-time; downloading a recording is an admin's, in the audit.
 */
class ReplayTest {

  static final Duration WAIT = Duration.ofSeconds(30);
  static final Path SHOTS = Path.of("target/browser-screenshots");

  @TempDir
  static Path dir;
  static XvncDesktop desktop;
  static TestNode node;

  @BeforeAll
  static void start() throws Exception {
    Files.createDirectories(SHOTS);
    desktop = XvncDesktop.start(dir.resolve("xvnc"), "replayed-desk", null, "800x600");
    node = TestNode.start(TestNode.standardInventory(desktop.port()), Map.of(
        "DESKGATE_CONSOLE_RECORDING", "on", "DESKGATE_CONSOLE_RECORDING_KEYS", "true",
        "DESKGATE_RECORDING_DIR", dir.resolve("recordings").toString()));
  }

  @AfterAll
  static void stop() {
    node.close();
    desktop.close();
  }

  @Test
  void aConsoleTypedInThroughABrowserReplaysToItsFinalFrameWithPauseAndSeek() throws Exception {
    String liveFinal;
    try (BrowserCheck live = BrowserCheck.open(node.consoleUrl(TestNode.DESKTOP), SHOTS.resolve("recorded-live.png"),
        "connected", null, "echo replayed through deskgate", "--settle")) {
      JsonObject typed = live.next();
      assertThat(typed.getBoolean("screenChangedByTyping")).as(typed.encodePrettily()).isTrue();
      liveFinal = String.valueOf(live.next().getJsonObject("canvas").getInteger("hash"));
    }
    String admin = node.token("alice", "alice-pass-1", PROJECT);
    Workspace alice = new Workspace(node, admin, PROJECT);
    JsonObject recording = awaitOnlyRecordingComplete(alice);
    String id = recording.getString("recording_id");
    assertThat(recording.getBoolean("keys_recorded")).isTrue();

    List<RecordParser.Record> records;
    try (LogCapture audit = new LogCapture()) {
      HttpResponse<byte[]> file = download(id, admin);
      assertThat(file.statusCode()).isEqualTo(200);
      assertThat(file.headers().firstValue("Content-Disposition")).hasValue("attachment; filename=\"" + id + ".records\"");
      records = parse(file.body());
      assertThat(audit.awaitLine("recording " + id)).isTrue();
      assertThat(audit.lines()).anyMatch(l -> l.contains("downloaded by user") && l.contains("alice"));
    }
    assertThat(records.get(0).type()).isEqualTo(RecordParser.Record.Type.METADATA);
    List<RecordParser.Record> keys = records.stream().filter(r -> r.type() == RecordParser.Record.Type.KEY).toList();
    assertThat(keys).as("key down and up for each typed character and Enter").hasSizeGreaterThanOrEqualTo(60);
    assertThat(keys.get(0).payload()).as("with recording_keys the keysym is kept: 'e' down")
        .containsExactly(1, 0, 0, 0, 'e');
    long firstKey = keys.get(0).timeMillis();
    try (java.util.stream.Stream<Path> files = Files.walk(dir.resolve("recordings"))) {
      Path file = files.filter(p -> p.toString().endsWith(id + ".dgrec")).findFirst().orElseThrow();
      assertThat(new String(Files.readAllBytes(file), java.nio.charset.StandardCharsets.ISO_8859_1))
          .as("encrypted at rest: not the metadata's desktop, computer name or browser, nor the typed text")
          .doesNotContain(TestNode.DESKTOP).doesNotContain("dev-01").doesNotContain("HeadlessChrome")
          .doesNotContain("replayed through deskgate");
    }
    String bob = node.token("bob", "bob-pass-1", PROJECT);
    assertThat(download(id, bob).statusCode()).isEqualTo(403);

    HttpResponse<String> issued = node.send(node.request("/v2/" + PROJECT + "/console-recordings/" + id + "/replay-links")
        .header("X-Auth-Token", admin).header("X-Language", "en").POST(HttpRequest.BodyPublishers.noBody()));
    assertThat(issued.statusCode()).as(issued.body()).isEqualTo(200);
    String url = new JsonObject(issued.body()).getString("url");
    assertThat(url).startsWith(node.baseUrl() + "/vnc/replay.html?token=").endsWith("&lang=EN");
    try (BrowserCheck replay = BrowserCheck.script("replay-check.mjs", url,
        SHOTS.resolve("replay-end.png").toAbsolutePath().toString(), String.valueOf(Math.max(0, firstKey - 200)))) {
      JsonObject loaded = replay.next();
      assertThat(loaded.getString("meta")).as(loaded.encodePrettily()).contains("dev-01")
          .contains(recording.getString("user_id")).contains("browser_closed");
      assertThat(loaded.getString("href")).doesNotContain("token");
      assertThat(loaded.getInteger("keyEvents")).isGreaterThanOrEqualTo(30);
      assertThat(loaded.getInteger("pointerEvents")).as("the click that focused the screen").isPositive();

      JsonObject ended = replay.next();
      assertThat(ended.getString("state")).as(ended.encodePrettily()).isEqualTo("ended");
      String endFrame = String.valueOf(ended.getJsonObject("canvas").getInteger("hash"));
      assertThat(endFrame).as("the replay ends on the live console's final frame").isEqualTo(liveFinal);
      assertThat(ended.getJsonObject("most").getInteger("keyMarks")).as("key marks drawn").isPositive();
      assertThat(ended.getJsonObject("most").getInteger("trailPoints")).as("the pointer drawn").isPositive();

      JsonObject early = replay.next();
      assertThat(early.getString("state")).as(early.encodePrettily()).isEqualTo("paused");
      assertThat(early.getJsonObject("canvas").getDouble("dominantFraction")).as("the screen is drawn").isLessThan(0.999);
      assertThat(String.valueOf(early.getJsonObject("canvas").getInteger("hash")))
          .as("before the typing, the typed text is not on the screen").isNotEqualTo(endFrame);

      JsonObject paused = replay.next();
      assertThat(paused.getString("state")).as(paused.encodePrettily()).isEqualTo("paused");
      assertThat(paused.getInteger("positionLater")).isEqualTo(paused.getInteger("positionAtPause"))
          .isGreaterThan(early.getInteger("position"));

      JsonObject last = replay.next();
      assertThat(String.valueOf(last.getJsonObject("canvas").getInteger("hash"))).as(last.encodePrettily())
          .isEqualTo(endFrame);
      assertThat(last.getJsonArray("errors")).isEmpty();
    }

    String token = URI.create(url).getQuery().replaceAll(".*token=([^&]+).*", "$1");
    HttpResponse<String> again = node.send(node.request("/vnc/replay/stream").header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("token", token).encode())));
    assertThat(again.statusCode()).as("a replay link is one-time").isEqualTo(410);

    // without a link: the page names the recording and asks for an IAM login, then plays it
    try (BrowserCheck replay = BrowserCheck.script("replay-check.mjs",
        node.baseUrl() + "/vnc/replay.html?recording=" + id + "&lang=EN",
        SHOTS.resolve("replay-login.png").toAbsolutePath().toString(), "0",
        "--login", "acme,alice,alice-pass-1," + PROJECT)) {
      JsonObject loaded = replay.next();
      assertThat(loaded.getString("state")).as(loaded.encodePrettily()).isIn("playing", "ended");
      assertThat(loaded.getString("meta")).contains("dev-01");
      assertThat(loaded.getString("href")).doesNotContain("token").doesNotContain("alice-pass-1");
      assertThat(loaded.getJsonArray("errors")).isEmpty();
    }
  }

  private static HttpResponse<byte[]> download(String id, String authToken) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(node.baseUrl() + "/v2/" + PROJECT
        + "/console-recordings/" + id + "/file")).header("X-Auth-Token", authToken).build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  /** The project's one recording, once it is complete. */
  static JsonObject awaitOnlyRecordingComplete(Workspace admin) {
    return Workspace.until(() -> new JsonObject(admin.get("/console-recordings").body()),
        l -> l.getLong("total_count") == 1 && "complete".equals(l.getJsonArray("recordings").getJsonObject(0)
            .getString("status")), WAIT, "the recording complete").getJsonArray("recordings").getJsonObject(0);
  }

  /** Records in the order they came, as a replay or a download streams them. */
  static List<RecordParser.Record> parse(byte[] body) {
    List<RecordParser.Record> records = new ArrayList<>();
    RecordParser parser = new RecordParser(RecordingFile.MAX_SEGMENT);
    assertThat(parser.feed(body, 0, body.length, records::add)).as(String.valueOf(parser.failure())).isTrue();
    assertThat(parser.atBoundary()).isTrue();
    return records;
  }
}
