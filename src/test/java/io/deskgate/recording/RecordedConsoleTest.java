package io.deskgate.recording;

import static io.deskgate.testing.TestNode.PROJECT;
import static org.assertj.core.api.Assertions.assertThat;

import io.deskgate.desktop.Desktop;
import io.deskgate.provider.XvncDesktop;
import io.deskgate.rfb.SecurityMode;
import io.deskgate.testing.BrowserCheck;
import io.deskgate.testing.ConsoleClient;
import io.deskgate.testing.LogCapture;
import io.deskgate.testing.RfbClient;
import io.deskgate.testing.TestNode;
import io.deskgate.testing.Workspace;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Consoles on a real TigerVNC desktop, recorded: the file holds exactly what the browser was sent,
 * the input without which keys, nothing readable; a console whose recording is required is refused
 * when the recording cannot start, one whose recording is on goes on unrecorded and it is counted.
 */
class RecordedConsoleTest {

  static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir
  static Path dir;
  static XvncDesktop desktop;
  static TestNode recording;
  static TestNode broken;

  @BeforeAll
  static void start() throws Exception {
    desktop = XvncDesktop.start(dir.resolve("xvnc"), "recorded-desk", null, "320x240");
    recording = TestNode.start(TestNode.standardInventory(desktop.port()), Map.of(
        "DESKGATE_CONSOLE_RECORDING", "on", "DESKGATE_RECORDING_DIR", dir.resolve("recordings").toString()));
    Files.writeString(dir.resolve("not-a-dir"), "");
    broken = TestNode.start(TestNode.standardInventory(desktop.port()), Map.of(
        "DESKGATE_RECORDING_DIR", dir.resolve("not-a-dir/recordings").toString()));
  }

  @AfterAll
  static void stop() {
    recording.close();
    broken.close();
    desktop.close();
  }

  @Test
  void aRecordedConsoleHoldsWhatTheBrowserWasSentAndWhatItDidButNotWhichKeys() throws Exception {
    String desktopId = TestNode.DESKTOP;
    try (ConsoleClient ws = ConsoleClient.connect(ConsoleClient.urlWithToken(recording,
        TestNode.tokenOf(recording.consoleUrl(desktopId))), null, List.of())) {
      RfbClient rfb = new RfbClient(ws);
      RfbClient.ServerInit init = rfb.handshake();
      assertThat(rfb.framebufferUpdate(init)).isPositive();
      ws.send(ByteBuffer.allocate(8).put((byte) 4).put((byte) 1).putShort((short) 0).putInt(0x61).array());
      ws.send(ByteBuffer.allocate(8).put((byte) 4).put((byte) 0).putShort((short) 0).putInt(0x61).array());
      ws.send(ByteBuffer.allocate(6).put((byte) 5).put((byte) 1).putShort((short) 17).putShort((short) 23).array());
      assertThat(rfb.framebufferUpdate(init)).isPositive();
    }
    Workspace admin = new Workspace(recording, recording.token("alice", "alice-pass-1", PROJECT), PROJECT);
    JsonObject row = Workspace.until(() -> new JsonObject(admin.get("/console-history?desktop_id=" + desktopId).body()),
        h -> h.getLong("total_count") >= 1, WAIT, "the history row").getJsonArray("sessions").getJsonObject(0);
    Path file = Workspace.until(RecordedConsoleTest::recordingFile, f -> f != null && complete(f), WAIT,
        "the recording written to its end");

    RecordingFile.Contents contents = RecordingFile.read(Files.newInputStream(file), recording.node().secrets());
    List<RecordParser.Record> records = contents.records();
    JsonObject metadata = new JsonObject(new String(records.get(0).payload(), StandardCharsets.UTF_8));
    assertThat(metadata.getString("session_id")).isEqualTo(row.getString("session_id"));
    assertThat(metadata.getString("desktop_id")).isEqualTo(desktopId);
    assertThat(metadata.getString("computer_name")).isEqualTo("dev-01");
    assertThat(metadata.getString("server_init")).isNotBlank();
    long desktopBytes = records.stream().filter(r -> r.type() == RecordParser.Record.Type.DESKTOP)
        .mapToLong(r -> r.payload().length).sum();
    assertThat(desktopBytes).as("every byte the browser was sent after ServerInit")
        .isEqualTo(row.getLong("bytes_to_browser")).isGreaterThan(320 * 240);
    List<byte[]> keys = records.stream().filter(r -> r.type() == RecordParser.Record.Type.KEY)
        .map(RecordParser.Record::payload).toList();
    assertThat(keys).hasSize(2);
    assertThat(keys.get(0)).as("a key was pressed, not which").containsExactly(1, 0, 0, 0, 0);
    assertThat(records.stream().filter(r -> r.type() == RecordParser.Record.Type.POINTER).findFirst().orElseThrow()
        .payload()).containsExactly(0, 17, 0, 23, 1);
    assertThat(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1)).doesNotContain("dev-01")
        .doesNotContain(desktopId);

    JsonObject listed = Workspace.until(() -> new JsonObject(admin.get("/console-recordings?desktop_id=" + desktopId)
        .body()), l -> l.getLong("total_count") == 1 && "complete".equals(l.getJsonArray("recordings")
        .getJsonObject(0).getString("status")), WAIT, "the recording listed complete")
        .getJsonArray("recordings").getJsonObject(0);
    assertThat(listed.getString("recording_id")).isEqualTo(metadata.getString("recording_id"))
        .isEqualTo(contents.id());
    assertThat(listed.getString("session_id")).isEqualTo(row.getString("session_id"));
    assertThat(listed.getString("user_id")).isEqualTo(row.getString("user_id"));
    assertThat(listed.getLong("size_bytes")).isEqualTo(Files.size(file));
    assertThat(listed.getBoolean("keys_recorded")).isFalse();
    assertThat(listed.getString("close_reason")).isEqualTo("browser_closed");
    var one = admin.get("/console-recordings/" + listed.getString("recording_id"));
    assertThat(new JsonObject(one.body()).getJsonObject("recording")).isEqualTo(listed);
    assertThat(admin.get("/console-recordings/00000000-0000-0000-0000-000000000000").statusCode()).isEqualTo(404);
    assertThat(admin.get("/console-recordings?until=2000-01-01T00:00:00Z").body()).contains("\"total_count\":0");
    assertThat(recording.get("/metrics").body()).containsPattern("deskgate_recordings_started_total [1-9]")
        .containsPattern("deskgate_recordings_bytes_total [1-9]");
    String bob = recording.token("bob", "bob-pass-1", PROJECT);
    assertThat(recording.get("/v2/" + PROJECT + "/console-recordings", "X-Auth-Token", bob).statusCode()).isEqualTo(403);
  }

  @Test
  void aRequiredRecordingThatCannotStartRefusesTheConsoleAndAnOnOneLetsItGoOnUnrecorded() {
    broken.addDesktop("must-record", new Desktop.ConsoleEndpoint("127.0.0.1", desktop.port(), null,
        SecurityMode.AUTO, null, null, null, null, "required"));
    broken.addDesktop("may-record", new Desktop.ConsoleEndpoint("127.0.0.1", desktop.port(), null,
        SecurityMode.AUTO, null, null, null, null, "on"));
    try (ConsoleClient ws = ConsoleClient.connect(ConsoleClient.urlWithToken(broken,
        TestNode.tokenOf(broken.consoleUrl("must-record"))), null, List.of())) {
      ConsoleClient.Close close = ws.awaitClose(WAIT);
      assertThat(close.code()).isEqualTo((short) 4513);
      assertThat(close.reason()).isEqualTo("this console must be recorded and the recording failed");
    }
    try (BrowserCheck page = BrowserCheck.open(broken.consoleUrl("must-record"), dir.resolve("refused.png"), "failed",
        null)) {
      JsonObject refused = page.next();
      assertThat(refused.getString("message")).as(refused.encodePrettily()).isEqualTo("recordingFailed");
      assertThat(refused.getString("status")).isEqualTo("This console must be recorded, and the recording could not "
          + "be made. Try again later or ask your administrator.");
    }
    try (LogCapture log = new LogCapture();
         ConsoleClient ws = ConsoleClient.connect(ConsoleClient.urlWithToken(broken,
             TestNode.tokenOf(broken.consoleUrl("may-record"))), null, List.of())) {
      assertThat(new RfbClient(ws).handshake().name()).isEqualTo("may-record");
      assertThat(log.awaitLine("desktop=may-record goes on unrecorded: the recording cannot start")).isTrue();
    }
    assertThat(broken.get("/metrics").body())
        .containsPattern("deskgate_recordings_failed_total\\{reason=\"cannot_start\"\\} 3\\.0");
  }

  @Test
  void recordingsOlderThanTheirRetentionAreDeleted() throws Exception {
    Path old = dir.resolve("recordings").resolve(java.time.LocalDate.now(java.time.ZoneOffset.UTC).minusDays(91)
        .toString());
    Files.createDirectories(old);
    Files.writeString(old.resolve("old.dgrec"), "");
    Path recent = dir.resolve("recordings").resolve(java.time.LocalDate.now(java.time.ZoneOffset.UTC).minusDays(89)
        .toString());
    Files.createDirectories(recent);
    Files.writeString(recent.resolve("recent.dgrec"), "");
    recording.node().housekeeping().await();
    assertThat(old).as("older than recording.retention_days (90)").doesNotExist();
    assertThat(recent.resolve("recent.dgrec")).exists();
    Files.delete(recent.resolve("recent.dgrec"));
    Files.delete(recent);
  }

  private static Path recordingFile() {
    try (Stream<Path> files = Files.walk(dir.resolve("recordings"))) {
      return files.filter(p -> p.toString().endsWith(".dgrec")).findFirst().orElse(null);
    } catch (java.io.IOException e) {
      return null;
    }
  }

  private static boolean complete(Path file) {
    try {
      return RecordingFile.read(Files.newInputStream(file), recording.node().secrets()).complete();
    } catch (java.io.IOException e) {
      return false;
    }
  }
}
