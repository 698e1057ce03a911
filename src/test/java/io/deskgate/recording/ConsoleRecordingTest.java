package io.deskgate.recording;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * A console's recording as its writer sees it: segments handed off when full, and a writer that gives
 * up stops the recording at once and tells the console, once.
 */
class ConsoleRecordingTest {

  /** A writer that takes {@code room} segments, then fails as a full queue does. */
  static final class Writer implements Recorder.Writing {
    final List<Integer> segments = new ArrayList<>();
    final List<String> told = new ArrayList<>();
    int room;
    boolean failed;
    Consumer<String> listener;
    String finishedWith;

    Writer(int room) {
      this.room = room;
    }

    @Override
    public void segment(byte[] bytes, int length) {
      if (room-- <= 0) {
        failed = true;
        listener.accept("its writer fell behind");
        return;
      }
      segments.add(length);
    }

    @Override
    public void finish(byte[] bytes, int length, String reason) {
      finishedWith = reason;
    }

    @Override
    public boolean failed() {
      return failed;
    }

    @Override
    public void onFailure(Consumer<String> l) {
      listener = l;
    }
  }

  @Test
  void fullSegmentsAreHandedOffAndAWriterThatGivesUpStopsTheRecordingAndTellsTheConsoleOnce() {
    Writer writer = new Writer(2);
    ConsoleRecording recording = new ConsoleRecording(writer, false);
    List<String> failures = new ArrayList<>();
    recording.onFailure(failures::add);
    byte[] chunk = new byte[40_000];
    for (int i = 0; i < 10; i++) {
      recording.desktop(Unpooled.wrappedBuffer(chunk));
    }
    assertThat(writer.segments).hasSize(2).allMatch(n -> n >= ConsoleRecording.SEGMENT_BYTES);
    assertThat(failures).containsExactly("its writer fell behind");
    assertThat(recording.recording()).isFalse();
    recording.key(true, 0x61);
    recording.end("desktop_closed");
    assertThat(writer.segments).as("nothing more once stopped").hasSize(2);
    assertThat(writer.finishedWith).isEqualTo("desktop_closed");
    recording.end("again");
    assertThat(writer.finishedWith).as("ended once").isEqualTo("desktop_closed");
  }
}
