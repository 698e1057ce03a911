package io.deskgate.recording;

import static io.deskgate.testing.TestNode.PROJECT;
import static org.assertj.core.api.Assertions.assertThat;

import io.deskgate.testing.ConsoleClient;
import io.deskgate.testing.PgDatabase;
import io.deskgate.testing.RfbClient;
import io.deskgate.testing.S3Server;
import io.deskgate.testing.TestNode;
import io.deskgate.testing.Workspace;
import io.deskgate.provider.XvncDesktop;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recordings in S3-compatible object storage (a real s3proxy on loopback), with two nodes on one
 * PostgreSQL: a console recorded on node A is put in the bucket when it ends, encrypted, and replays
 * through node B; old days are purged from the bucket.
 */
class S3RecordingTest {

  static final Duration WAIT = Duration.ofSeconds(30);
  static final String BUCKET = "recordings";

  @TempDir
  Path dir;

  @Test
  void aConsoleRecordedOnNodeAReplaysThroughNodeB() throws Exception {
    try (S3Server s3 = S3Server.start(dir.resolve("s3"), BUCKET);
         PgDatabase pg = PgDatabase.create();
         XvncDesktop desktop = XvncDesktop.start(dir.resolve("xvnc"), "s3-desk", null, "320x240")) {
      Map<String, String> common = new HashMap<>(s3.nodeEnvironment(BUCKET));
      common.putAll(Map.of("DESKGATE_DB_URL", pg.jdbcUrl(), "DESKGATE_SECRETS_KEY_FILE",
          dir.resolve("secret.key").toString(), "DESKGATE_CONSOLE_RECORDING", "on"));
      Map<String, String> envA = new HashMap<>(common);
      envA.putAll(Map.of("DESKGATE_NODE_NAME", "node-a", "DESKGATE_RECORDING_DIR", dir.resolve("a").toString()));
      Map<String, String> envB = new HashMap<>(common);
      envB.putAll(Map.of("DESKGATE_NODE_NAME", "node-b", "DESKGATE_RECORDING_DIR", dir.resolve("b").toString()));
      try (TestNode a = TestNode.start(TestNode.standardInventory(desktop.port()), envA);
           TestNode b = TestNode.start(TestNode.standardInventory(desktop.port()), envB)) {
        try (ConsoleClient ws = ConsoleClient.connect(ConsoleClient.urlWithToken(a,
            TestNode.tokenOf(a.consoleUrl(TestNode.DESKTOP))), null, List.of())) {
          RfbClient rfb = new RfbClient(ws);
          RfbClient.ServerInit init = rfb.handshake();
          assertThat(rfb.framebufferUpdate(init)).isPositive();
          ws.send(ByteBuffer.allocate(8).put((byte) 4).put((byte) 1).putShort((short) 0).putInt(0x61).array());
        }
        String adminOnB = b.token("alice", "alice-pass-1", PROJECT);
        Workspace onB = new Workspace(b, adminOnB, PROJECT);
        JsonObject recording = ReplayTest.awaitOnlyRecordingComplete(onB);
        String id = recording.getString("recording_id");
        assertThat(recording.getString("node_id")).isEqualTo("node-a");

        Path object = s3.dir().resolve(BUCKET).resolve("deskgate").resolve(LocalDate.now(ZoneOffset.UTC).toString())
            .resolve(id + ".dgrec");
        assertThat(object).as("put in the bucket").exists();
        assertThat(Files.size(object)).isEqualTo(recording.getLong("size_bytes"));
        assertThat(new String(Files.readAllBytes(object), StandardCharsets.ISO_8859_1)).doesNotContain("dev-01")
            .doesNotContain(TestNode.DESKTOP);
        try (Stream<Path> left = Files.walk(dir.resolve("a"))) {
          assertThat(left.filter(p -> p.toString().endsWith(".dgrec")).toList()).as("nothing left on node A's disk")
              .isEmpty();
        }

        HttpResponse<String> issued = b.send(b.request("/v2/" + PROJECT + "/console-recordings/" + id
            + "/replay-links").header("X-Auth-Token", adminOnB).POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(issued.statusCode()).as(issued.body()).isEqualTo(200);
        String url = new JsonObject(issued.body()).getString("url");
        assertThat(url).startsWith(b.baseUrl());
        String token = URI.create(url).getQuery().replaceAll(".*token=([^&]+).*", "$1");
        HttpResponse<byte[]> streamed = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create(b.baseUrl() + "/vnc/replay/stream")).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("token", token).encode())).build(),
            HttpResponse.BodyHandlers.ofByteArray());
        assertThat(streamed.statusCode()).isEqualTo(200);
        List<RecordParser.Record> records = ReplayTest.parse(streamed.body());
        JsonObject metadata = new JsonObject(new String(records.get(0).payload(), StandardCharsets.UTF_8));
        assertThat(metadata.getString("node")).isEqualTo("node-a");
        assertThat(metadata.getString("computer_name")).isEqualTo("dev-01");
        assertThat(records).anyMatch(r -> r.type() == RecordParser.Record.Type.DESKTOP)
            .anyMatch(r -> r.type() == RecordParser.Record.Type.KEY);
        assertThat(new String(records.get(records.size() - 1).payload(), StandardCharsets.UTF_8)).contains("ended");

        Path old = s3.dir().resolve(BUCKET).resolve("deskgate").resolve("2000-01-01").resolve("old.dgrec");
        Files.createDirectories(old.getParent());
        Files.writeString(old, "old");
        a.node().housekeeping().await();
        assertThat(old).as("a day older than recording.retention_days, purged from the bucket").doesNotExist();
        assertThat(object).exists();
      }
    }
  }
}
