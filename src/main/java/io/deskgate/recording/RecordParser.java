package io.deskgate.recording;

import java.util.function.Consumer;

/**
 * The records of a recording's plaintext, parsed incrementally from the bytes of its segments (fed in
 * any chunks): {@code type u8 | time_ms u32 | length u32 | payload}. Bounded: a type it does not know or
 * a length over {@link #maxPayload} is a failure, not a read.
 */
public final class RecordParser {

  /** A record: its {@link Record.Type}, milliseconds since the recording started, and its payload. */
  public record Record(Type type, long timeMillis, byte[] payload) {

    /** What a record holds. */
    public enum Type {
      /** The recording's metadata, JSON (first record). */
      METADATA(0),
      /** Bytes the desktop sent the browser (RFB server messages from after ServerInit). */
      DESKTOP(1),
      /** A pointer event of the browser: x u16, y u16, button mask u8. */
      POINTER(2),
      /** A key event of the browser: down u8, keysym u32 (0 when keys are not recorded). */
      KEY(3),
      /** Something about the recording itself, JSON ({@code {"truncated": "why"}}). */
      MARK(4);

      final int code;

      Type(int code) {
        this.code = code;
      }

      public int code() {
        return code;
      }

      static Type of(int code) {
        for (Type t : values()) {
          if (t.code == code) {
            return t;
          }
        }
        return null;
      }
    }
  }

  private enum State { HEADER, PAYLOAD, FAILED }

  static final int HEADER_BYTES = 9;

  private final int maxPayload;
  private State state = State.HEADER;
  private final byte[] header = new byte[HEADER_BYTES];
  private int headerFilled;
  private Record.Type type;
  private long time;
  private byte[] payload;
  private int payloadFilled;
  private String failure;

  public RecordParser(int maxPayload) {
    this.maxPayload = maxPayload;
  }

  /** Feeds bytes; each complete record goes to {@code out}. False once the input is not a recording. */
  public boolean feed(byte[] bytes, int offset, int length, Consumer<Record> out) {
    int i = offset;
    int end = offset + length;
    while (i < end && state != State.FAILED) {
      if (state == State.HEADER) {
        int n = Math.min(HEADER_BYTES - headerFilled, end - i);
        System.arraycopy(bytes, i, header, headerFilled, n);
        headerFilled += n;
        i += n;
        if (headerFilled == HEADER_BYTES) {
          startRecord(out);
        }
      } else {
        int n = Math.min(payload.length - payloadFilled, end - i);
        System.arraycopy(bytes, i, payload, payloadFilled, n);
        payloadFilled += n;
        i += n;
        if (payloadFilled == payload.length) {
          out.accept(new Record(type, time, payload));
          state = State.HEADER;
        }
      }
    }
    return state != State.FAILED;
  }

  private void startRecord(Consumer<Record> out) {
    headerFilled = 0;
    type = Record.Type.of(header[0] & 0xff);
    time = u32(header, 1);
    long length = u32(header, 5);
    if (type == null) {
      fail("unknown record type " + (header[0] & 0xff));
    } else if (length > maxPayload) {
      fail("a record of " + length + " bytes, over the limit of " + maxPayload);
    } else if (length == 0) {
      out.accept(new Record(type, time, new byte[0]));
    } else {
      payload = new byte[(int) length];
      payloadFilled = 0;
      state = State.PAYLOAD;
    }
  }

  /** Whether the bytes fed so far end on a record boundary. */
  public boolean atBoundary() {
    return state == State.HEADER && headerFilled == 0;
  }

  public String failure() {
    return failure;
  }

  private void fail(String why) {
    state = State.FAILED;
    failure = why;
  }

  static long u32(byte[] b, int at) {
    return ((b[at] & 0xffL) << 24) | ((b[at + 1] & 0xffL) << 16) | ((b[at + 2] & 0xffL) << 8) | (b[at + 3] & 0xffL);
  }
}
