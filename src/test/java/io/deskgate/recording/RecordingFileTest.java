package io.deskgate.recording;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.deskgate.config.Config;
import io.deskgate.store.Database;
import io.deskgate.store.SecretBox;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A recording as the format says (docs/recording.md): records come back as written, in order, through
 * any number of segments; the file holds nothing readable; an altered, cut or foreign file is told
 * apart from a whole one.
 */
class RecordingFileTest {

  static final SecretBox SECRETS = new SecretBox(new byte[32]);

  @TempDir
  Path dir;

  /** Records a console: metadata, desktop bytes (over several segments), input, then the end; returns its file. */
  private Path record(boolean keys, int desktopBytes) throws IOException {
    List<String> failures = new ArrayList<>();
    AtomicLong written = new AtomicLong();
    try (Database db = Database.open(new Config.Store("jdbc:h2:mem:recordings-" + java.util.UUID.randomUUID(), null,
             null, 2, 5000, 100));
         Recorder recorder = new Recorder(new LocalStorage(dir), SECRETS, new RecordingCatalog(db, "node-t"), 1, stats(written))) {
      Recorder.Opened opened = recorder.open(new RecordingCatalog.Subject("node-t:1:1", "p", "d", "u"), keys);
      ConsoleRecording r = opened.recording();
      r.onFailure(failures::add);
      r.metadata("{\"computer_name\":\"secret-desk\"}");
      byte[] screen = new byte[desktopBytes];
      for (int i = 0; i < screen.length; i++) {
        screen[i] = (byte) (i * 31);
      }
      for (int at = 0; at < screen.length; at += 10_000) {
        r.desktop(Unpooled.wrappedBuffer(screen, at, Math.min(10_000, screen.length - at)));
      }
      r.pointer(1, 640, 400);
      r.key(true, 0x61);
      r.key(false, 0x61);
      r.end("browser_closed");
    }
    assertThat(failures).isEmpty();
    try (Stream<Path> files = Files.walk(dir)) {
      Path file = files.filter(p -> p.toString().endsWith(".dgrec")).findFirst().orElseThrow();
      assertThat(written.get()).as("bytes counted for the metric").isEqualTo(Files.size(file));
      return file;
    }
  }

  static Recorder.Stats stats(AtomicLong written) {
    return new Recorder.Stats() {
      @Override
      public void started() {
      }

      @Override
      public void ended() {
      }

      @Override
      public void written(long bytes) {
        written.addAndGet(bytes);
      }

      @Override
      public void failed(String reason) {
      }
    };
  }

  @Test
  void recordsComeBackInOrderAcrossSegmentsWithKeysLeftOutByDefault() throws IOException {
    Path file = record(false, 300_000);
    RecordingFile.Contents contents = RecordingFile.read(Files.newInputStream(file), SECRETS);
    assertThat(contents.complete()).isTrue();
    List<RecordParser.Record> records = contents.records();
    assertThat(records.get(0).type()).isEqualTo(RecordParser.Record.Type.METADATA);
    assertThat(new String(records.get(0).payload(), StandardCharsets.UTF_8)).contains("secret-desk");
    long desktop = records.stream().filter(r -> r.type() == RecordParser.Record.Type.DESKTOP)
        .mapToLong(r -> r.payload().length).sum();
    assertThat(desktop).isEqualTo(300_000);
    byte[] pointer = records.stream().filter(r -> r.type() == RecordParser.Record.Type.POINTER).findFirst()
        .orElseThrow().payload();
    assertThat(pointer).containsExactly(0x02, 0x80, 0x01, 0x90, 1);
    List<byte[]> keys = records.stream().filter(r -> r.type() == RecordParser.Record.Type.KEY)
        .map(RecordParser.Record::payload).toList();
    assertThat(keys).hasSize(2);
    assertThat(keys.get(0)).as("a key was pressed, not which").containsExactly(1, 0, 0, 0, 0);
    assertThat(keys.get(1)).containsExactly(0, 0, 0, 0, 0);
    RecordParser.Record last = records.get(records.size() - 1);
    assertThat(last.type()).isEqualTo(RecordParser.Record.Type.MARK);
    assertThat(new String(last.payload(), StandardCharsets.UTF_8)).isEqualTo("{\"ended\":\"browser_closed\"}");
    long previous = 0;
    for (RecordParser.Record r : records) {
      assertThat(r.timeMillis()).isGreaterThanOrEqualTo(previous);
      previous = r.timeMillis();
    }
  }

  @Test
  void withKeysRecordedTheKeysymIsThere() throws IOException {
    Path file = record(true, 10);
    byte[] key = RecordingFile.read(Files.newInputStream(file), SECRETS).records().stream()
        .filter(r -> r.type() == RecordParser.Record.Type.KEY).findFirst().orElseThrow().payload();
    assertThat(key).containsExactly(1, 0, 0, 0, 0x61);
  }

  @Test
  void theFileHoldsNothingReadable() throws IOException {
    Path file = record(false, 50_000);
    String asText = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
    assertThat(asText).doesNotContain("secret-desk").doesNotContain("browser_closed");
    assertThat(Files.getPosixFilePermissions(file)).containsExactlyInAnyOrder(
        java.nio.file.attribute.PosixFilePermission.OWNER_READ, java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
  }

  @Test
  void anAlteredByteAForeignKeyOrACutFileIsToldApart() throws IOException {
    byte[] whole = Files.readAllBytes(record(false, 200_000));
    byte[] altered = whole.clone();
    altered[altered.length / 2] ^= 1;
    assertThatThrownBy(() -> RecordingFile.read(new ByteArrayInputStream(altered), SECRETS))
        .isInstanceOf(IOException.class).hasMessageContaining("does not open");
    byte[] otherKey = new byte[32];
    otherKey[0] = 1;
    assertThatThrownBy(() -> RecordingFile.read(new ByteArrayInputStream(whole), new SecretBox(otherKey)))
        .isInstanceOf(IOException.class).hasMessageContaining("key");
    byte[] cut = java.util.Arrays.copyOf(whole, whole.length - 10);
    RecordingFile.Contents contents = RecordingFile.read(new ByteArrayInputStream(cut), SECRETS);
    assertThat(contents.complete()).as("its last segment is missing").isFalse();
    assertThat(contents.records()).isNotEmpty();
    assertThatThrownBy(() -> RecordingFile.read(new ByteArrayInputStream("RFB 003.008\n".getBytes()), SECRETS))
        .isInstanceOf(IOException.class).hasMessageContaining("not a Deskgate recording");
  }

  @Test
  void theParserTakesRecordsInAnyChunksAndRefusesWhatIsNotARecord() {
    byte[] two = {1, 0, 0, 0, 5, 0, 0, 0, 2, 'h', 'i', 4, 0, 0, 0, 6, 0, 0, 0, 0};
    for (int chunk = 1; chunk <= two.length; chunk++) {
      List<RecordParser.Record> out = new ArrayList<>();
      RecordParser parser = new RecordParser(1024);
      for (int at = 0; at < two.length; at += chunk) {
        assertThat(parser.feed(two, at, Math.min(chunk, two.length - at), out::add)).isTrue();
      }
      assertThat(out).hasSize(2);
      assertThat(out.get(0).timeMillis()).isEqualTo(5);
      assertThat(out.get(0).payload()).containsExactly('h', 'i');
      assertThat(out.get(1).type()).isEqualTo(RecordParser.Record.Type.MARK);
      assertThat(parser.atBoundary()).isTrue();
    }
    RecordParser huge = new RecordParser(1024);
    assertThat(huge.feed(new byte[] {1, 0, 0, 0, 0, 0x7f, 0, 0, 0}, 0, 9, r -> { })).isFalse();
    assertThat(huge.failure()).contains("over the limit of 1024");
    RecordParser unknown = new RecordParser(1024);
    assertThat(unknown.feed(new byte[] {9, 0, 0, 0, 0, 0, 0, 0, 0}, 0, 9, r -> { })).isFalse();
    assertThat(unknown.failure()).contains("unknown record type 9");
  }
}
