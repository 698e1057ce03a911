package io.deskgate.rfb;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * An RFB client that goes as far as a VNC server's ServerInit and no further (RFC 6143: versions 3.3,
 * 3.7 and 3.8; security None or VNC Authentication), without I/O: {@link #feed} takes what the server
 * sent and returns what to send back. Completing the handshake is what makes a probe harmless: TigerVNC
 * counts every connection that ends before authentication as a failure of its address and, after five,
 * refuses that address ("Too many security failures"); a completed one clears the count.
 * Every length the server sends is bounded; a violation ends the probe as {@link Result#NOT_RFB}.
 */
public final class RfbProbe {

  /** How a probe ended, or {@link #PENDING} while it goes on. */
  public enum Result {
    PENDING,
    /** The server completed the handshake: it is up and accepts Deskgate. */
    READY,
    /** The server speaks RFB but refused the connection or the credentials. */
    REFUSED,
    /** The server speaks RFB but offers only security this probe cannot complete. */
    UNSUPPORTED,
    /** Whatever answered is not an RFB server (or broke the protocol). */
    NOT_RFB
  }

  private enum State {
    VERSION(12), SECURITY_33(4), TYPE_COUNT(1), TYPES(0), REASON_LENGTH(4), REASON(0),
    CHALLENGE(VncAuth.CHALLENGE_BYTES), SECURITY_RESULT(4), SERVER_INIT(24), NAME(0), DONE(0);

    /** Bytes the state reads; 0 where the server announced the length (a list, a text). */
    final int fixedLength;

    State(int fixedLength) {
      this.fixedLength = fixedLength;
    }
  }

  static final int MAX_REASON_BYTES = 1024;
  static final int MAX_NAME_BYTES = 4096;
  private static final int NONE = 1;
  private static final int VNC_AUTH = 2;

  private final String password;
  private State state = State.VERSION;
  private int minor;
  private int needed = State.VERSION.fixedLength;
  private byte[] buffer = new byte[64];
  private int buffered;
  private Result result = Result.PENDING;
  private String detail = "";
  /** Where a failure reason ends: REFUSED, with this text before the reason. */
  private String reasonContext;

  /** {@code password}: the desktop's VNC password, or null when it has none. */
  public RfbProbe(String password) {
    this.password = password;
  }

  public Result result() {
    return result;
  }

  /** What was learned: the desktop's name when READY, else why not. */
  public String detail() {
    return detail;
  }

  /** Takes bytes from the server; returns the bytes to send it (often none). */
  public byte[] feed(byte[] data, int offset, int length) {
    byte[] out = new byte[0];
    int at = offset;
    int end = offset + length;
    while (result == Result.PENDING && at < end) {
      int take = Math.min(needed - buffered, end - at);
      ensureCapacity(needed);
      System.arraycopy(data, at, buffer, buffered, take);
      buffered += take;
      at += take;
      if (buffered == needed) {
        byte[] reply = step(Arrays.copyOf(buffer, needed));
        buffered = 0;
        out = concat(out, reply);
      }
    }
    return out;
  }

  private void expect(State next) {
    expect(next, next.fixedLength);
  }

  private void expect(State next, int bytes) {
    state = next;
    needed = bytes;
  }

  private byte[] step(byte[] in) {
    switch (state) {
      case VERSION:
        return version(in);
      case SECURITY_33: {
        long type = u32(in, 0);
        if (type == 0) {
          return failureReason("the server refused the connection");
        }
        return security((int) Math.min(type, Integer.MAX_VALUE), false);
      }
      case TYPE_COUNT:
        if (in[0] == 0) {
          return failureReason("the server refused the connection");
        }
        expect(State.TYPES, in[0] & 0xff);
        return new byte[0];
      case TYPES: {
        int chosen = 0;
        for (byte t : in) {
          if ((t & 0xff) == NONE) {
            chosen = NONE;
          }
        }
        if (chosen == 0 && password != null) {
          for (byte t : in) {
            if ((t & 0xff) == VNC_AUTH) {
              chosen = VNC_AUTH;
            }
          }
        }
        if (chosen == 0) {
          return end(Result.UNSUPPORTED, "security types offered: " + typeList(in)
              + (password == null ? " (no password configured)" : ""));
        }
        return concat(new byte[] {(byte) chosen}, security(chosen, true));
      }
      case CHALLENGE:
        expect(State.SECURITY_RESULT);
        return VncAuth.response(in, password);
      case SECURITY_RESULT:
        if (u32(in, 0) != 0) {
          return minor >= 8 ? failureReason("authentication failed") : end(Result.REFUSED, "authentication failed");
        }
        expect(State.SERVER_INIT);
        return new byte[] {1};
      case REASON_LENGTH: {
        long n = u32(in, 0);
        if (n > MAX_REASON_BYTES) {
          return end(Result.NOT_RFB, "a failure reason of " + n + " bytes (at most " + MAX_REASON_BYTES + ")");
        }
        if (n == 0) {
          return end(Result.REFUSED, reasonContext);
        }
        expect(State.REASON, (int) n);
        return new byte[0];
      }
      case REASON:
        return end(Result.REFUSED, reasonContext + ": " + printable(in));
      case SERVER_INIT: {
        long n = u32(in, 20);
        if (n > MAX_NAME_BYTES) {
          return end(Result.NOT_RFB, "a desktop name of " + n + " bytes (at most " + MAX_NAME_BYTES + ")");
        }
        if (n == 0) {
          return end(Result.READY, "");
        }
        expect(State.NAME, (int) n);
        return new byte[0];
      }
      case NAME:
        return end(Result.READY, printable(in));
      default:
        return new byte[0];
    }
  }

  private byte[] version(byte[] in) {
    String banner = new String(in, StandardCharsets.US_ASCII);
    if (!banner.matches("RFB \\d{3}\\.\\d{3}\n")) {
      return end(Result.NOT_RFB, "no RFB version banner");
    }
    int major = Integer.parseInt(banner.substring(4, 7));
    int serverMinor = Integer.parseInt(banner.substring(8, 11));
    if (major < 3) {
      return end(Result.NOT_RFB, "RFB version " + banner.trim().substring(4));
    }
    minor = major > 3 || serverMinor >= 8 ? 8 : serverMinor == 7 ? 7 : 3;
    if (minor == 3) {
      expect(State.SECURITY_33);
    } else {
      expect(State.TYPE_COUNT);
    }
    return ("RFB 003.00" + minor + "\n").getBytes(StandardCharsets.US_ASCII);
  }

  /** After a security type is settled (chosen by us from a list, or set by a 3.3 server). */
  private byte[] security(int type, boolean chosenFromList) {
    if (type == NONE) {
      if (minor >= 8) {
        expect(State.SECURITY_RESULT);
        return new byte[0];
      }
      expect(State.SERVER_INIT);
      return new byte[] {1};
    }
    if (type == VNC_AUTH && password != null) {
      expect(State.CHALLENGE);
      return new byte[0];
    }
    return end(Result.UNSUPPORTED, chosenFromList ? "security type " + type
        : "security type " + type + (type == VNC_AUTH ? " without a configured password" : ""));
  }

  private byte[] failureReason(String context) {
    reasonContext = context;
    expect(State.REASON_LENGTH);
    return new byte[0];
  }

  private byte[] end(Result outcome, String why) {
    result = outcome;
    detail = why;
    state = State.DONE;
    return new byte[0];
  }

  private void ensureCapacity(int n) {
    if (buffer.length < n) {
      buffer = Arrays.copyOf(buffer, n);
    }
  }

  private static long u32(byte[] b, int at) {
    return ((b[at] & 0xffL) << 24) | ((b[at + 1] & 0xffL) << 16) | ((b[at + 2] & 0xffL) << 8) | (b[at + 3] & 0xffL);
  }

  private static String typeList(byte[] types) {
    StringBuilder sb = new StringBuilder();
    for (byte t : types) {
      sb.append(sb.length() == 0 ? "" : ",").append(t & 0xff);
    }
    return sb.toString();
  }

  /** Server text for a log line: printable ASCII only, at most 200 characters. */
  private static String printable(byte[] text) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < text.length && sb.length() < 200; i++) {
      char c = (char) (text[i] & 0xff);
      sb.append(c >= 0x20 && c < 0x7f ? c : '?');
    }
    return sb.toString();
  }

  private static byte[] concat(byte[] a, byte[] b) {
    if (a.length == 0) {
      return b;
    }
    if (b.length == 0) {
      return a;
    }
    byte[] all = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }
}
