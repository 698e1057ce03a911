package io.deskgate.rfb;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Deskgate as a desktop's RFB client (RFC 6143), from the server's version banner to its ServerInit,
 * without I/O: {@link #feed} takes what the server sent and says what to send back. Versions 3.3, 3.7
 * and 3.8; security None, VNC Authentication, and VeNCrypt 0.2 (X509None, X509Vnc, X509Plain; the
 * anonymous TLSNone, TLSVnc, TLSPlain only when {@link TlsSettings#allowAnonymous}). When VeNCrypt has
 * agreed on a subtype the outcome is {@link Outcome#START_TLS}: the caller runs TLS on the connection
 * (verifying the server unless {@link #anonymousTls}), then calls {@link #tlsEstablished} and goes on
 * feeding what comes out of TLS.
 * <p>Every length the server sends is bounded; a violation ends the handshake as {@link Failure#NOT_RFB}.
 * The server's own failure text is kept for the log ({@link #detail}), truncated and made printable.
 */
public final class ClientHandshake {

  public enum Outcome { PENDING, START_TLS, READY, FAILED }

  public enum Failure {
    /** Whatever answered is not an RFB server, or broke the protocol. */
    NOT_RFB,
    /** The server refused the connection before any credentials (a blacklist, too many clients). */
    CONNECTION_REFUSED,
    /** The server refused Deskgate's credentials. */
    CREDENTIALS_REFUSED,
    /** The server offers no security type that the desktop's config lets Deskgate use. */
    NO_COMMON_SECURITY
  }

  /** What to send back, and how many of the bytes given were used (the rest belongs to what follows). */
  public record Step(byte[] reply, int consumed) {}

  public static final int NONE = 1;
  public static final int VNC_AUTH = 2;
  public static final int VENCRYPT = 19;
  public static final int TLS_NONE = 257;
  public static final int TLS_VNC = 258;
  public static final int TLS_PLAIN = 259;
  public static final int X509_NONE = 260;
  public static final int X509_VNC = 261;
  public static final int X509_PLAIN = 262;

  static final int MAX_REASON_BYTES = 1024;
  static final int MAX_NAME_BYTES = 4096;
  private static final byte[] NOTHING = new byte[0];

  private enum State {
    VERSION(12), SECURITY_33(4), TYPE_COUNT(1), TYPES(0), VENCRYPT_VERSION(2), VENCRYPT_STATUS(1),
    VENCRYPT_COUNT(1), VENCRYPT_TYPES(0), VENCRYPT_ACK(1), TLS(0), CHALLENGE(VncAuth.CHALLENGE_BYTES),
    SECURITY_RESULT(4), REASON_LENGTH(4), REASON(0), SERVER_INIT(24), NAME(0), DONE(0);

    /** Bytes the state reads; 0 where the server announced the length (a list, a text). */
    final int fixedLength;

    State(int fixedLength) {
      this.fixedLength = fixedLength;
    }
  }

  /** The authentication inside a VeNCrypt subtype, after TLS. */
  private enum Inner { NONE, VNC, PLAIN }

  private final DesktopSecurity security;
  private State state = State.VERSION;
  private int minor;
  private int needed = State.VERSION.fixedLength;
  private byte[] buffer = new byte[64];
  private int buffered;
  private Outcome outcome = Outcome.PENDING;
  private Failure failure;
  private String detail = "";
  private int securityType;
  private int subtype;
  private Inner inner;
  private byte[] serverInitHead;
  private ServerInit serverInit;
  private Failure reasonFailure;
  private String reasonContext;

  public ClientHandshake(DesktopSecurity security) {
    this.security = security;
  }

  public Outcome outcome() {
    return outcome;
  }

  /** Why it failed; null unless {@link Outcome#FAILED}. */
  public Failure failure() {
    return failure;
  }

  /** For the log: what went wrong (with the server's own text, truncated), or the security used. */
  public String detail() {
    return detail;
  }

  /** The server's ServerInit, once {@link Outcome#READY}. */
  public ServerInit serverInit() {
    return serverInit;
  }

  /** At {@link Outcome#START_TLS}: whether the subtype is anonymous TLS (no certificate to verify). */
  public boolean anonymousTls() {
    return subtype == TLS_NONE || subtype == TLS_VNC || subtype == TLS_PLAIN;
  }

  /** The security type used ({@link #VENCRYPT} subtypes by their own number); 0 before it is chosen. */
  public int securityUsed() {
    return subtype != 0 ? subtype : securityType;
  }

  /** Takes bytes from the server; returns what to send it and how many bytes were used. */
  public Step feed(byte[] data, int offset, int length) {
    if (outcome == Outcome.START_TLS && length > 0) {
      fail(Failure.NOT_RFB, "the server sent data in clear where TLS should start");
      return new Step(NOTHING, 0);
    }
    byte[] out = NOTHING;
    int at = offset;
    int end = offset + length;
    while (outcome == Outcome.PENDING && at < end) {
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
    return new Step(out, at - offset);
  }

  /** TLS is up (and the server verified, unless anonymous): returns what to send next, through TLS. */
  public byte[] tlsEstablished() {
    if (outcome != Outcome.START_TLS) {
      throw new IllegalStateException("no TLS was asked for");
    }
    outcome = Outcome.PENDING;
    switch (inner) {
      case VNC:
        expect(State.CHALLENGE);
        return NOTHING;
      case PLAIN: {
        expect(State.SECURITY_RESULT);
        byte[] user = security.username().getBytes(StandardCharsets.UTF_8);
        byte[] pass = security.password().getBytes(StandardCharsets.UTF_8);
        return concat(concat(concat(u32Bytes(user.length), u32Bytes(pass.length)), user), pass);
      }
      default:
        expect(State.SECURITY_RESULT);
        return NOTHING;
    }
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
          return failureReason(Failure.CONNECTION_REFUSED, "the server refused the connection");
        }
        if (type != NONE && type != VNC_AUTH || !acceptable((int) type)) {
          return fail(Failure.NO_COMMON_SECURITY, "the RFB 3.3 server requires security type " + type
              + ", which the desktop's console config does not allow");
        }
        securityType = (int) type;
        return afterTopLevelChoice();
      }
      case TYPE_COUNT:
        if (in[0] == 0) {
          return failureReason(Failure.CONNECTION_REFUSED, "the server refused the connection");
        }
        expect(State.TYPES, in[0] & 0xff);
        return NOTHING;
      case TYPES:
        return chooseTopLevel(in);
      case VENCRYPT_VERSION:
        if (in[0] != 0 || (in[1] & 0xff) < 2) {
          return fail(Failure.NO_COMMON_SECURITY, "VeNCrypt version " + in[0] + "." + in[1] + " (0.2 is needed)");
        }
        expect(State.VENCRYPT_STATUS);
        return new byte[] {0, 2};
      case VENCRYPT_STATUS:
        if (in[0] != 0) {
          return fail(Failure.NO_COMMON_SECURITY, "the server refused VeNCrypt 0.2");
        }
        expect(State.VENCRYPT_COUNT);
        return NOTHING;
      case VENCRYPT_COUNT:
        if (in[0] == 0) {
          return fail(Failure.NO_COMMON_SECURITY, "the server offers no VeNCrypt subtype");
        }
        expect(State.VENCRYPT_TYPES, 4 * (in[0] & 0xff));
        return NOTHING;
      case VENCRYPT_TYPES:
        return chooseSubtype(in);
      case VENCRYPT_ACK:
        if (in[0] != 1) {
          return fail(Failure.NO_COMMON_SECURITY, "the server refused VeNCrypt subtype " + subtype);
        }
        outcome = Outcome.START_TLS;
        state = State.TLS;
        return NOTHING;
      case CHALLENGE:
        expect(State.SECURITY_RESULT);
        return VncAuth.response(in, security.password());
      case SECURITY_RESULT:
        if (u32(in, 0) != 0) {
          boolean credentials = securityType == VNC_AUTH || inner == Inner.VNC || inner == Inner.PLAIN;
          Failure f = credentials ? Failure.CREDENTIALS_REFUSED : Failure.CONNECTION_REFUSED;
          String why = credentials ? "the server refused the credentials" : "the server refused the connection";
          return minor >= 8 ? failureReason(f, why) : fail(f, why);
        }
        expect(State.SERVER_INIT);
        return new byte[] {1};
      case REASON_LENGTH: {
        long n = u32(in, 0);
        if (n > MAX_REASON_BYTES) {
          return fail(Failure.NOT_RFB, "a failure reason of " + n + " bytes (at most " + MAX_REASON_BYTES + ")");
        }
        if (n == 0) {
          return fail(reasonFailure, reasonContext);
        }
        expect(State.REASON, (int) n);
        return NOTHING;
      }
      case REASON:
        return fail(reasonFailure, reasonContext + ": " + printable(in));
      case SERVER_INIT: {
        if (PixelFormat.read(in, 4) == null) {
          return fail(Failure.NOT_RFB, "a ServerInit with an unusable pixel format (" + (in[4] & 0xff)
              + " bits per pixel, depth " + (in[5] & 0xff) + ")");
        }
        long n = u32(in, 20);
        if (n > MAX_NAME_BYTES) {
          return fail(Failure.NOT_RFB, "a desktop name of " + n + " bytes (at most " + MAX_NAME_BYTES + ")");
        }
        serverInitHead = in;
        if (n == 0) {
          return ready(new byte[0]);
        }
        expect(State.NAME, (int) n);
        return NOTHING;
      }
      case NAME:
        return ready(in);
      default:
        return NOTHING;
    }
  }

  private byte[] version(byte[] in) {
    String banner = new String(in, StandardCharsets.US_ASCII);
    if (!banner.matches("RFB \\d{3}\\.\\d{3}\n")) {
      return fail(Failure.NOT_RFB, "no RFB version banner (it began \"" + printable(in) + "\")");
    }
    int major = Integer.parseInt(banner.substring(4, 7));
    int serverMinor = Integer.parseInt(banner.substring(8, 11));
    if (major < 3) {
      return fail(Failure.NOT_RFB, "RFB version " + banner.trim().substring(4));
    }
    minor = major > 3 || serverMinor >= 8 ? 8 : serverMinor == 7 ? 7 : 3;
    expect(minor == 3 ? State.SECURITY_33 : State.TYPE_COUNT);
    return ("RFB 003.00" + minor + "\n").getBytes(StandardCharsets.US_ASCII);
  }

  /** The top-level types Deskgate would use, strongest first. */
  private List<Integer> topLevelPreference() {
    return switch (security.mode()) {
      case NONE -> List.of(NONE);
      case VNC -> security.hasPassword() ? List.of(VNC_AUTH) : List.of();
      case VENCRYPT -> List.of(VENCRYPT);
      // VeNCrypt first only when Deskgate has a trust anchor for the desktop (or may go anonymous):
      // choosing it commits to its subtypes, and a dead end there cannot fall back without a reconnect.
      case AUTO -> security.tls().configured()
          ? (security.hasPassword() ? List.of(VENCRYPT, VNC_AUTH, NONE) : List.of(VENCRYPT, NONE))
          : (security.hasPassword() ? List.of(VNC_AUTH, NONE, VENCRYPT) : List.of(NONE, VENCRYPT));
    };
  }

  private boolean acceptable(int type) {
    return topLevelPreference().contains(type);
  }

  private byte[] chooseTopLevel(byte[] offered) {
    for (int wanted : topLevelPreference()) {
      for (byte t : offered) {
        if ((t & 0xff) == wanted) {
          securityType = wanted;
          return concat(new byte[] {(byte) wanted}, afterTopLevelChoice());
        }
      }
    }
    return fail(Failure.NO_COMMON_SECURITY, "the server offers security types " + typeList(offered, 1)
        + "; the desktop's console config allows " + topLevelPreference()
        + (security.hasPassword() ? "" : " (no password configured)"));
  }

  private byte[] afterTopLevelChoice() {
    switch (securityType) {
      case NONE:
        if (minor >= 8) {
          expect(State.SECURITY_RESULT);
          return NOTHING;
        }
        expect(State.SERVER_INIT);
        return new byte[] {1};
      case VNC_AUTH:
        expect(State.CHALLENGE);
        return NOTHING;
      default:
        expect(State.VENCRYPT_VERSION);
        return NOTHING;
    }
  }

  /** VeNCrypt subtypes Deskgate would use, strongest first. */
  private List<Integer> subtypePreference() {
    boolean plain = security.hasUsername() && security.hasPassword();
    boolean vnc = security.hasPassword();
    java.util.ArrayList<Integer> order = new java.util.ArrayList<>();
    if (plain) {
      order.add(X509_PLAIN);
    }
    if (vnc) {
      order.add(X509_VNC);
    }
    order.add(X509_NONE);
    if (security.tls().allowAnonymous()) {
      if (plain) {
        order.add(TLS_PLAIN);
      }
      if (vnc) {
        order.add(TLS_VNC);
      }
      order.add(TLS_NONE);
    }
    return order;
  }

  private byte[] chooseSubtype(byte[] offered) {
    for (int wanted : subtypePreference()) {
      for (int i = 0; i < offered.length; i += 4) {
        if (u32(offered, i) == wanted) {
          subtype = wanted;
          inner = switch (wanted) {
            case X509_VNC, TLS_VNC -> Inner.VNC;
            case X509_PLAIN, TLS_PLAIN -> Inner.PLAIN;
            default -> Inner.NONE;
          };
          expect(State.VENCRYPT_ACK);
          return u32Bytes(wanted);
        }
      }
    }
    return fail(Failure.NO_COMMON_SECURITY, "the server offers VeNCrypt subtypes " + typeList(offered, 4)
        + "; the desktop's console config allows " + subtypePreference());
  }

  private byte[] ready(byte[] name) {
    serverInit = new ServerInit(PixelFormat.u16(serverInitHead, 0), PixelFormat.u16(serverInitHead, 2),
        PixelFormat.read(serverInitHead, 4), new String(name, StandardCharsets.UTF_8));
    outcome = Outcome.READY;
    state = State.DONE;
    detail = "security type " + securityUsed();
    return NOTHING;
  }

  private byte[] failureReason(Failure kind, String context) {
    reasonFailure = kind;
    reasonContext = context;
    expect(State.REASON_LENGTH);
    return NOTHING;
  }

  private byte[] fail(Failure kind, String why) {
    outcome = Outcome.FAILED;
    failure = kind;
    detail = why;
    state = State.DONE;
    return NOTHING;
  }

  private void ensureCapacity(int n) {
    if (buffer.length < n) {
      buffer = Arrays.copyOf(buffer, n);
    }
  }

  static long u32(byte[] b, int at) {
    return ((b[at] & 0xffL) << 24) | ((b[at + 1] & 0xffL) << 16) | ((b[at + 2] & 0xffL) << 8) | (b[at + 3] & 0xffL);
  }

  static byte[] u32Bytes(int v) {
    return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
  }

  private static String typeList(byte[] types, int width) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i + width <= types.length; i += width) {
      sb.append(i == 0 ? "" : ", ").append(width == 1 ? types[i] & 0xff : u32(types, i));
    }
    return sb.append(']').toString();
  }

  /** Server text for a log line: printable ASCII only, at most 200 characters. */
  static String printable(byte[] text) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < text.length && sb.length() < 200; i++) {
      char c = (char) (text[i] & 0xff);
      sb.append(c >= 0x20 && c < 0x7f ? c : '?');
    }
    return sb.toString();
  }

  static byte[] concat(byte[] a, byte[] b) {
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
