package io.deskgate.rfb;

import java.util.Set;

/**
 * The desktop's side of a live console, framed message by message without I/O (RFC 6143, 7.6, and the
 * encodings in {@link #FRAMED_ENCODINGS}), so that cut text can be found in it and dropped. Screen data
 * is not buffered: payloads are passed on to the {@link Sink} as they arrive, only headers are held
 * until whole. Server messages can be huge, so the framer streams where {@link ClientMessages} buffers;
 * a message or encoding it cannot frame ends the console, since after it nothing could be framed.
 * <p>Deskgate makes sure the desktop uses only encodings it can frame by rewriting the browser's
 * SetEncodings ({@link #framed}).
 */
public final class ServerMessages {

  /** Where passing bytes go, in order; the ranges are valid only during the call (copy them). */
  public interface Sink {
    void pass(byte[] data, int offset, int length);
  }

  public static final int RAW = 0;
  public static final int COPY_RECT = 1;
  public static final int RRE = 2;
  public static final int HEXTILE = 5;
  public static final int ZLIB = 6;
  public static final int TIGHT = 7;
  public static final int ZRLE = 16;
  public static final int CURSOR = -239;
  public static final int X_CURSOR = -240;
  public static final int DESKTOP_SIZE = -223;
  public static final int LAST_RECT = -224;
  public static final int EXTENDED_DESKTOP_SIZE = -308;
  public static final int DESKTOP_NAME = -307;
  public static final int QEMU_EXTENDED_KEY = -258;
  public static final int QEMU_LED_STATE = -261;
  public static final int VMWARE_LED_STATE = 0x574D5668;
  public static final int XVP = -309;
  public static final int FENCE = -312;
  public static final int CONTINUOUS_UPDATES = -313;
  /** The extended clipboard's pseudo-encoding: only on consoles whose clipboard is open both ways. */
  public static final int EXTENDED_CLIPBOARD = 0xC0A1E5CE;

  /** Encodings and pseudo-encodings a scanned console lets the browser ask for. */
  public static final Set<Integer> FRAMED_ENCODINGS = Set.of(RAW, COPY_RECT, RRE, HEXTILE, ZLIB, TIGHT, ZRLE, CURSOR,
      X_CURSOR, DESKTOP_SIZE, LAST_RECT, EXTENDED_DESKTOP_SIZE, DESKTOP_NAME, QEMU_EXTENDED_KEY, QEMU_LED_STATE,
      VMWARE_LED_STATE, XVP, FENCE, CONTINUOUS_UPDATES);

  /** Whether the framer can follow {@code encoding} (compression and JPEG quality levels included). */
  public static boolean framed(int encoding) {
    return FRAMED_ENCODINGS.contains(encoding) || encoding >= -256 && encoding <= -247
        || encoding >= -32 && encoding <= -23;
  }

  static final int MAX_NAME_BYTES = 4096;

  /** Headers: read whole (into {@link #header}) before they are understood. */
  private enum State {
    TYPE, FBU_HEADER, RECT_HEADER, COLOUR_MAP_HEADER, CUT_TEXT_HEADER, FENCE_HEADER, XVP_BODY, RRE_HEADER,
    HEXTILE_SUBENCODING, HEXTILE_FIELDS, TIGHT_CONTROL, TIGHT_FILTER, TIGHT_PALETTE_SIZE, COMPACT_LENGTH,
    LENGTH_PREFIX, SCREENS_HEADER, PAYLOAD
  }

  /** What comes after a payload. */
  private enum Then { NEXT_MESSAGE, NEXT_RECT, NEXT_TILE, TIGHT_DATA }

  private final ClientMessages browser;
  private final boolean strict;
  private final boolean passCutText;
  private boolean gaveUp;
  private long framed;
  private final int maxCutTextBytes;
  private State state = State.TYPE;
  private final byte[] header = new byte[16];
  private int have;
  private int needed = 1;
  private long payload;
  private boolean dropping;
  private Then then;
  private int rectsLeft;
  private long updates;
  private int encoding;
  private int w;
  private int h;
  private int tileX;
  private int tileY;
  private int hextileFlags;
  private int tightPixels;
  private long tightUncompressed;
  private int compactBytes;
  private long compactValue;
  private String failure;
  private long cutTextsDropped;

  /**
   * {@code browser}: the browser's side of the same console, which says the pixel format in use;
   * {@code passCutText}: whether the desktop's clipboard may reach the browser.
   */
  public ServerMessages(ClientMessages browser, boolean passCutText, int maxCutTextBytes) {
    this(browser, passCutText, maxCutTextBytes, true);
  }

  /**
   * {@code strict}: an encoding the framer cannot follow is a violation (consoles that must find cut
   * text); otherwise the framer gives up there and passes the rest unframed (consoles that only check
   * that the desktop speaks RFB, where the browser may have asked for any encoding).
   */
  public ServerMessages(ClientMessages browser, boolean passCutText, int maxCutTextBytes, boolean strict) {
    this.strict = strict;
    this.browser = browser;
    this.passCutText = passCutText;
    this.maxCutTextBytes = maxCutTextBytes;
  }

  /** Why the desktop's stream could not be framed; null while it can. */
  public String failure() {
    return failure;
  }

  public long cutTextsDropped() {
    return cutTextsDropped;
  }

  /** Bytes framed so far (passed or dropped). */
  public long framed() {
    return framed;
  }

  /** FramebufferUpdate messages begun so far. */
  public long framebufferUpdates() {
    return updates;
  }

  /** Whether the framer met an encoding it cannot follow and passes everything unframed since. */
  public boolean gaveUp() {
    return gaveUp;
  }

  /** Takes bytes from the desktop and passes on what may reach the browser; false at the first violation. */
  public boolean feed(byte[] data, int offset, int count, Sink out) {
    int at = offset;
    int end = offset + count;
    framed += count;
    while (failure == null && at < end) {
      if (gaveUp) {
        out.pass(data, at, end - at);
        return true;
      }
      if (state == State.PAYLOAD) {
        int take = (int) Math.min(payload, end - at);
        if (!dropping) {
          out.pass(data, at, take);
        }
        at += take;
        payload -= take;
        if (payload == 0) {
          dropping = false;
          proceed(then);
        }
        continue;
      }
      int take = Math.min(needed - have, end - at);
      System.arraycopy(data, at, header, have, take);
      at += take;
      have += take;
      if (have == needed) {
        int length = needed;
        boolean heldBack = state == State.TYPE && (header[0] & 0xff) == 3 && !passCutText
            || state == State.CUT_TEXT_HEADER && !passCutText;
        step();
        if (!heldBack && failure == null) {
          out.pass(header, 0, length);
        }
      }
    }
    return failure == null;
  }

  private void step() {
    switch (state) {
      case TYPE -> type(header[0] & 0xff);
      case FBU_HEADER -> {
        updates++;
        rectsLeft = PixelFormat.u16(header, 1);
        proceed(Then.NEXT_RECT);
      }
      case RECT_HEADER -> rect();
      case COLOUR_MAP_HEADER -> payload(6L * PixelFormat.u16(header, 3), Then.NEXT_MESSAGE);
      case CUT_TEXT_HEADER -> {
        long length = Math.abs((long) (int) ClientHandshake.u32(header, 3));
        if (length > maxCutTextBytes) {
          violation("cut text of " + length + " bytes (at most " + maxCutTextBytes + ")");
          return;
        }
        if (!passCutText) {
          cutTextsDropped++;
          dropping = length > 0;
        }
        payload(length, Then.NEXT_MESSAGE);
      }
      case FENCE_HEADER -> {
        int length = header[7] & 0xff;
        if (length > ClientMessages.MAX_FENCE_BYTES) {
          violation("a fence of " + length + " bytes");
          return;
        }
        payload(length, Then.NEXT_MESSAGE);
      }
      case XVP_BODY -> proceed(Then.NEXT_MESSAGE);
      case RRE_HEADER -> payload(ClientHandshake.u32(header, 0) * (pixelBytes() + 8L), Then.NEXT_RECT);
      case HEXTILE_SUBENCODING -> hextileSubencoding(header[0] & 0xff);
      case HEXTILE_FIELDS -> {
        int count = (hextileFlags & 8) == 0 ? 0 : header[needed - 1] & 0xff;
        payload(count * ((hextileFlags & 16) != 0 ? pixelBytes() + 2L : 2L), Then.NEXT_TILE);
      }
      case TIGHT_CONTROL -> tightControl(header[0] & 0xff);
      case TIGHT_FILTER -> {
        int filter = header[0] & 0xff;
        if (filter == 1) {
          read(State.TIGHT_PALETTE_SIZE, 1);
        } else if (filter == 0 || filter == 2) {
          tightUncompressed = (long) w * h * tightPixels;
          proceed(Then.TIGHT_DATA);
        } else {
          violation("Tight filter " + filter);
        }
      }
      case TIGHT_PALETTE_SIZE -> {
        int colours = (header[0] & 0xff) + 1;
        tightUncompressed = colours == 2 ? (long) ((w + 7) / 8) * h : (long) w * h;
        payload((long) colours * tightPixels, Then.TIGHT_DATA);
      }
      case COMPACT_LENGTH -> compactLength(header[0] & 0xff);
      case LENGTH_PREFIX -> {
        long length = ClientHandshake.u32(header, 0);
        if (encoding == DESKTOP_NAME && length > MAX_NAME_BYTES) {
          violation("a desktop name of " + length + " bytes (at most " + MAX_NAME_BYTES + ")");
          return;
        }
        payload(length, Then.NEXT_RECT);
      }
      case SCREENS_HEADER -> payload(16L * (header[0] & 0xff), Then.NEXT_RECT);
      default -> violation("framer state " + state);
    }
  }

  private void type(int type) {
    switch (type) {
      case 0 -> read(State.FBU_HEADER, 3);
      case 1 -> read(State.COLOUR_MAP_HEADER, 5);
      case 2, 150 -> proceed(Then.NEXT_MESSAGE);
      case 3 -> read(State.CUT_TEXT_HEADER, 7);
      case 248 -> read(State.FENCE_HEADER, 8);
      case 250 -> read(State.XVP_BODY, 3);
      default -> violation("server message type " + type);
    }
  }

  private void rect() {
    w = PixelFormat.u16(header, 4);
    h = PixelFormat.u16(header, 6);
    encoding = (int) ClientHandshake.u32(header, 8);
    long pixels = (long) w * h;
    int bpp = pixelBytes();
    switch (encoding) {
      case RAW -> payload(pixels * bpp, Then.NEXT_RECT);
      case COPY_RECT -> payload(4, Then.NEXT_RECT);
      case RRE -> read(State.RRE_HEADER, 4 + bpp);
      case HEXTILE -> {
        tileX = 0;
        tileY = 0;
        proceed(pixels == 0 ? Then.NEXT_RECT : Then.NEXT_TILE);
      }
      case ZLIB, ZRLE, DESKTOP_NAME -> read(State.LENGTH_PREFIX, 4);
      case TIGHT -> {
        tightPixels = browser.pixelFormat().tightPixelBytes();
        read(State.TIGHT_CONTROL, 1);
      }
      case CURSOR -> payload(pixels * bpp + (long) ((w + 7) / 8) * h, Then.NEXT_RECT);
      case X_CURSOR -> payload(pixels == 0 ? 0 : 6 + 2L * ((w + 7) / 8) * h, Then.NEXT_RECT);
      case DESKTOP_SIZE, QEMU_EXTENDED_KEY -> proceed(Then.NEXT_RECT);
      case LAST_RECT -> proceed(Then.NEXT_MESSAGE);
      case EXTENDED_DESKTOP_SIZE -> read(State.SCREENS_HEADER, 4);
      case QEMU_LED_STATE -> payload(1, Then.NEXT_RECT);
      case VMWARE_LED_STATE -> payload(4, Then.NEXT_RECT);
      default -> {
        if (strict) {
          violation("a rectangle in encoding " + encoding + ", which Deskgate cannot frame");
        } else {
          gaveUp = true;
        }
      }
    }
  }

  private void hextileSubencoding(int flags) {
    hextileFlags = flags;
    int bpp = pixelBytes();
    if ((flags & 1) != 0) {
      payload((long) Math.min(16, w - tileX) * Math.min(16, h - tileY) * bpp, Then.NEXT_TILE);
      return;
    }
    int fields = ((flags & 2) != 0 ? bpp : 0) + ((flags & 4) != 0 ? bpp : 0) + ((flags & 8) != 0 ? 1 : 0);
    if (fields == 0) {
      proceed(Then.NEXT_TILE);
    } else {
      read(State.HEXTILE_FIELDS, fields);
    }
  }

  private void tightControl(int control) {
    int compression = control >> 4;
    if (compression == 8) {
      payload(tightPixels, Then.NEXT_RECT);
    } else if (compression == 9) {
      startCompactLength();
    } else if (compression > 9) {
      violation("Tight compression " + compression);
    } else if ((control & 0x40) != 0) {
      read(State.TIGHT_FILTER, 1);
    } else {
      tightUncompressed = (long) w * h * tightPixels;
      proceed(Then.TIGHT_DATA);
    }
  }

  private void startCompactLength() {
    compactBytes = 0;
    compactValue = 0;
    read(State.COMPACT_LENGTH, 1);
  }

  /** Tight's compact length: 7 bits in each of up to two bytes with a continuation bit, then 8 bits. */
  private void compactLength(int b) {
    compactValue |= (long) (compactBytes == 2 ? b : b & 0x7f) << (7 * compactBytes);
    compactBytes++;
    if (compactBytes < 3 && (b & 0x80) != 0) {
      read(State.COMPACT_LENGTH, 1);
    } else {
      payload(compactValue, Then.NEXT_RECT);
    }
  }

  /** Passes (or drops) {@code length} bytes as they come, then goes on with {@code next}. */
  private void payload(long length, Then next) {
    if (length == 0) {
      proceed(next);
      return;
    }
    payload = length;
    then = next;
    state = State.PAYLOAD;
  }

  private void proceed(Then next) {
    switch (next) {
      case NEXT_MESSAGE -> read(State.TYPE, 1);
      case NEXT_RECT -> {
        if (rectsLeft == 0) {
          read(State.TYPE, 1);
        } else {
          rectsLeft--;
          read(State.RECT_HEADER, 12);
        }
      }
      case NEXT_TILE -> {
        if (state != State.RECT_HEADER) {
          tileX += 16;
          if (tileX >= w) {
            tileX = 0;
            tileY += 16;
          }
        }
        if (tileY >= h) {
          proceed(Then.NEXT_RECT);
        } else {
          read(State.HEXTILE_SUBENCODING, 1);
        }
      }
      case TIGHT_DATA -> {
        if (tightUncompressed < 12) {
          payload(tightUncompressed, Then.NEXT_RECT);
        } else {
          startCompactLength();
        }
      }
    }
  }

  private void read(State next, int bytes) {
    state = next;
    needed = bytes;
    have = 0;
  }

  private int pixelBytes() {
    return browser.pixelFormat().bytesPerPixel();
  }

  private void violation(String why) {
    failure = why;
  }
}
