package io.deskgate.recording;

import static io.deskgate.testing.TestNode.PROJECT;
import static org.assertj.core.api.Assertions.assertThat;

import io.deskgate.desktop.Desktop;
import io.deskgate.provider.XvncDesktop;
import io.deskgate.rfb.SecurityMode;
import io.deskgate.testing.ConsoleClient;
import io.deskgate.testing.RfbClient;
import io.deskgate.testing.TestNode;
import io.deskgate.testing.Workspace;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A recording that can no longer be written in the middle of a console, on a real disk that fills up (a
 * 128 KiB tmpfs) in front of a real TigerVNC desktop: a {@code required} console ends with 4513, its
 * recording is listed truncated and the failure is counted.
 */
class RecordingFailureTest {

  @TempDir
  Path dir;

  @Test
  void aRequiredRecordingThatCanNoLongerBeWrittenEndsItsConsole() throws Exception {
    Path disk = Files.createDirectories(dir.resolve("small-disk"));
    Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=128k,mode=0700", "tmpfs", disk.toString())
        .redirectErrorStream(true).start();
    String mountOutput = new String(mount.getInputStream().readAllBytes());
    assertThat(mount.waitFor()).as("mounting a small tmpfs (the test command runs as root): " + mountOutput).isZero();
    try (XvncDesktop desktop = XvncDesktop.start(dir.resolve("xvnc"), "full-disk-desk", null, "320x240");
         TestNode node = TestNode.start(TestNode.standardInventory(desktop.port()),
             Map.of("DESKGATE_RECORDING_DIR", disk.toString()))) {
      node.addDesktop("must-record", new Desktop.ConsoleEndpoint("127.0.0.1", desktop.port(), null,
          SecurityMode.AUTO, null, null, null, null, "required"));
      try (ConsoleClient ws = ConsoleClient.connect(ConsoleClient.urlWithToken(node,
          TestNode.tokenOf(node.consoleUrl("must-record"))), null, List.of())) {
        RfbClient rfb = new RfbClient(ws);
        RfbClient.ServerInit init = rfb.handshake();
        // each whole screen in raw pixels is 300 KiB: the disk is full within the first
        for (int i = 0; i < 20 && !ws.isClosed(); i++) {
          try {
            rfb.framebufferUpdate(init);
          } catch (RuntimeException closedMidUpdate) {
            break;
          }
        }
        ConsoleClient.Close close = ws.awaitClose(Duration.ofSeconds(20));
        assertThat(close.code()).isEqualTo((short) 4513);
        assertThat(close.reason()).isEqualTo("this console must be recorded and the recording failed");
      }
      Workspace admin = new Workspace(node, node.token("alice", "alice-pass-1", PROJECT), PROJECT);
      JsonObject listed = Workspace.until(() -> new JsonObject(admin.get("/console-recordings?desktop_id=must-record")
          .body()), l -> l.getLong("total_count") == 1 && !"recording".equals(l.getJsonArray("recordings")
          .getJsonObject(0).getString("status")), Duration.ofSeconds(20), "the recording ended")
          .getJsonArray("recordings").getJsonObject(0);
      assertThat(listed.getString("status")).isEqualTo("truncated");
      assertThat(listed.getString("close_reason")).isEqualTo("recording_failed");
      assertThat(node.get("/metrics").body())
          .containsPattern("deskgate_recordings_failed_total\\{reason=\"write_failed\"\\} 1\\.0");
    } finally {
      new ProcessBuilder("umount", disk.toString()).start().waitFor();
    }
  }
}
