package io.deskgate.recording;

import io.netty.buffer.ByteBuf;

/**
 * The recording of one console, fed on the console's event loop: records are appended to a segment in
 * memory, and each full segment (or one older than {@link #SEGMENT_MAX_AGE_NANOS} when the next record
 * comes, and the last one at the end) is handed to the {@link Recorder}'s writer, which never makes the
 * console wait. When the writer falls behind by {@link Recorder#PENDING_SEGMENTS_LIMIT} segments or a
 * write fails, the recording stops there (its file ends without its last segment, which readers report
 * as cut short) and {@link #onFailure} is told, which ends a {@code required} console.
 */
public final class ConsoleRecording {

  static final int SEGMENT_BYTES = 64 * 1024;
  /** What an idle console's recording holds in memory: its segment starts small and grows with the stream. */
  static final int FIRST_SEGMENT_BYTES = 4 * 1024;
  static final long SEGMENT_MAX_AGE_NANOS = 1_000_000_000L;

  private final Recorder.Writing writing;
  private final boolean keys;
  private final long startedAt = System.nanoTime();
  private byte[] segment = new byte[FIRST_SEGMENT_BYTES];
  private int used;
  private long segmentStartedAt = startedAt;
  private boolean stopped;

  ConsoleRecording(Recorder.Writing writing, boolean keys) {
    this.writing = writing;
    this.keys = keys;
  }

  /**
   * Who is told, once and on whatever thread, why the recording stopped early (its writer fell behind or
   * its file cannot be written); at once if it already has.
   */
  public void onFailure(java.util.function.Consumer<String> listener) {
    writing.onFailure(listener);
  }

  /** Whether records are still taken (not ended, not truncated). */
  public boolean recording() {
    return !stopped && !writing.failed();
  }

  /** Bytes of the desktop's stream as they go to the browser (read, never moved). */
  public void desktop(ByteBuf data) {
    if (!recording()) {
      return;
    }
    int n = data.readableBytes();
    header(RecordParser.Record.Type.DESKTOP, n);
    ensure(n);
    data.getBytes(data.readerIndex(), segment, used, n);
    used += n;
    handOffIfDue();
  }

  /** A pointer event the browser sent. */
  public void pointer(int buttonMask, int x, int y) {
    if (!recording()) {
      return;
    }
    header(RecordParser.Record.Type.POINTER, 5);
    putU16(x);
    putU16(y);
    segment[used++] = (byte) buttonMask;
    handOffIfDue();
  }

  /** A key event the browser sent: which key only when keys are recorded ({@code console.recording_keys}). */
  public void key(boolean down, long keysym) {
    if (!recording()) {
      return;
    }
    header(RecordParser.Record.Type.KEY, 5);
    segment[used++] = (byte) (down ? 1 : 0);
    putU32(keys ? keysym : 0);
    handOffIfDue();
  }

  /** Ends the recording: the last segment, with why the console ended. */
  public void end(String reason) {
    if (stopped) {
      return;
    }
    stopped = true;
    if (!writing.failed()) {
      mark("{\"ended\":\"" + reason + "\"}");
    }
    writing.finish(segment, used, reason);
    segment = null;
  }

  /** The first record: what the console is (JSON; docs/recording.md). */
  public void metadata(String json) {
    text(RecordParser.Record.Type.METADATA, json);
  }

  private void mark(String json) {
    text(RecordParser.Record.Type.MARK, json);
  }

  private void text(RecordParser.Record.Type type, String json) {
    byte[] bytes = json.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    header(type, bytes.length);
    ensure(bytes.length);
    System.arraycopy(bytes, 0, segment, used, bytes.length);
    used += bytes.length;
  }

  private void header(RecordParser.Record.Type type, int length) {
    ensure(RecordParser.HEADER_BYTES);
    segment[used++] = (byte) type.code();
    putU32((System.nanoTime() - startedAt) / 1_000_000);
    putU32(length);
  }

  private void handOffIfDue() {
    long now = System.nanoTime();
    if (used >= SEGMENT_BYTES || now - segmentStartedAt >= SEGMENT_MAX_AGE_NANOS) {
      writing.segment(segment, used);
      segment = new byte[Math.max(FIRST_SEGMENT_BYTES, Math.min(SEGMENT_BYTES, used))];
      used = 0;
      segmentStartedAt = now;
    }
  }

  private void ensure(int more) {
    if (used + more > segment.length) {
      segment = java.util.Arrays.copyOf(segment, Math.max(segment.length * 2, used + more));
    }
  }

  private void putU16(int v) {
    segment[used++] = (byte) (v >> 8);
    segment[used++] = (byte) v;
  }

  private void putU32(long v) {
    segment[used++] = (byte) (v >> 24);
    segment[used++] = (byte) (v >> 16);
    segment[used++] = (byte) (v >> 8);
    segment[used++] = (byte) v;
  }
}
