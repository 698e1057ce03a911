package io.deskgate.rfb;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.function.IntPredicate;

/**
 * The browser's side of a live console, parsed message by message (RFC 6143, 7.5, and the extensions
 * noVNC sends), without I/O: {@link #feed} takes what the browser sent and writes what may pass to the
 * desktop. Client messages are small, so every one is parsed, whole, under a bound; a message type
 * outside the list ends the console. Policy decides what passes: a view-only console drops input
 * (keys, pointer, cut text, QEMU key events, xvp power actions, desktop resizes); a clipboard closed
 * towards the desktop drops cut text; an encoding filter rewrites SetEncodings.
 */
public final class ClientMessages {

  /** What may pass. {@code encodingAllowed}: which encodings SetEncodings keeps (null keeps all). */
  public record Policy(boolean viewOnly, boolean clipboardToDesktop, IntPredicate encodingAllowed) {
    public static final Policy FULL = new Policy(false, true, null);
  }

  public static final int SET_PIXEL_FORMAT = 0;
  public static final int SET_ENCODINGS = 2;
  public static final int FRAMEBUFFER_UPDATE_REQUEST = 3;
  public static final int KEY_EVENT = 4;
  public static final int POINTER_EVENT = 5;
  public static final int CLIENT_CUT_TEXT = 6;
  public static final int ENABLE_CONTINUOUS_UPDATES = 150;
  public static final int CLIENT_FENCE = 248;
  public static final int XVP = 250;
  public static final int SET_DESKTOP_SIZE = 251;
  public static final int QEMU = 255;
  static final int MAX_ENCODINGS = 1024;
  static final int MAX_FENCE_BYTES = 64;
  static final int MAX_SCREENS = 255;

  private final Policy policy;
  private final int maxCutTextBytes;
  private PixelFormat pixelFormat;
  private byte[] message = new byte[64];
  private int have;
  /** Bytes the message in hand has in all, as far as known from what was read of it. */
  private int length;
  private String failure;
  private long dropped;

  public ClientMessages(Policy policy, PixelFormat pixelFormat, int maxCutTextBytes) {
    this.policy = policy;
    this.pixelFormat = pixelFormat;
    this.maxCutTextBytes = maxCutTextBytes;
  }

  /** The pixel format the browser asked for last (the desktop's own until it asks). */
  public PixelFormat pixelFormat() {
    return pixelFormat;
  }

  /** How many messages policy dropped so far. */
  public long dropped() {
    return dropped;
  }

  /** Told of each key and pointer event that passes (a recording's input track). */
  public interface Input {
    void key(boolean down, long keysym);

    void pointer(int buttonMask, int x, int y);
  }

  private Input inputListener;

  /** From now on, {@code listener} hears each key and pointer event that passes. */
  public void input(Input listener) {
    this.inputListener = listener;
  }

  /** Why the browser's stream was refused; null while it is fine. */
  public String failure() {
    return failure;
  }

  /**
   * Takes bytes from the browser and appends to {@code out} what passes. Returns false (and stops)
   * at the first message that breaks the protocol or a bound; {@link #failure} says which.
   */
  public boolean feed(byte[] data, int offset, int count, ByteArrayOutputStream out) {
    int at = offset;
    int end = offset + count;
    while (failure == null && at < end) {
      if (length == 0) {
        length = 1;
      }
      int take = Math.min(length - have, end - at);
      ensureCapacity(length);
      System.arraycopy(data, at, message, have, take);
      have += take;
      at += take;
      if (have < length) {
        continue;
      }
      int whole = wholeLength();
      if (whole < 0) {
        return false;
      }
      if (whole > length) {
        length = whole;
        continue;
      }
      pass(out);
      have = 0;
      length = 0;
    }
    return failure == null;
  }

  /**
   * The whole message's length given what is in hand, which may be more than is in hand (read on);
   * -1 on a violation.
   */
  private int wholeLength() {
    int type = message[0] & 0xff;
    switch (type) {
      case SET_PIXEL_FORMAT:
        return 20;
      case SET_ENCODINGS:
        if (have < 4) {
          return 4;
        }
        int n = PixelFormat.u16(message, 2);
        return n > MAX_ENCODINGS ? violation("SetEncodings with " + n + " encodings (at most " + MAX_ENCODINGS + ")")
            : 4 + 4 * n;
      case FRAMEBUFFER_UPDATE_REQUEST:
      case ENABLE_CONTINUOUS_UPDATES:
        return 10;
      case KEY_EVENT:
        return 8;
      case POINTER_EVENT:
        return 6;
      case CLIENT_CUT_TEXT: {
        if (have < 8) {
          return 8;
        }
        // a negative length is the extended clipboard's: that many bytes follow
        long text = Math.abs((long) (int) ClientHandshake.u32(message, 4));
        return text > maxCutTextBytes
            ? violation("cut text of " + text + " bytes (at most " + maxCutTextBytes + ")") : 8 + (int) text;
      }
      case CLIENT_FENCE: {
        if (have < 9) {
          return 9;
        }
        int fence = message[8] & 0xff;
        return fence > MAX_FENCE_BYTES ? violation("a fence of " + fence + " bytes (at most 64)") : 9 + fence;
      }
      case XVP:
        return 4;
      case SET_DESKTOP_SIZE:
        return have < 8 ? 8 : 8 + 16 * (message[6] & 0xff);
      case QEMU:
        if (have < 2) {
          return 2;
        }
        return message[1] == 0 ? 12 : violation("QEMU client message subtype " + (message[1] & 0xff));
      default:
        return violation("client message type " + type);
    }
  }

  private void pass(ByteArrayOutputStream out) {
    int type = message[0] & 0xff;
    boolean input = type == KEY_EVENT || type == POINTER_EVENT || type == CLIENT_CUT_TEXT || type == QEMU
        || type == XVP || type == SET_DESKTOP_SIZE;
    if (policy.viewOnly() && input || type == CLIENT_CUT_TEXT && !policy.clipboardToDesktop()) {
      dropped++;
      return;
    }
    if (inputListener != null && type == KEY_EVENT) {
      inputListener.key(message[1] != 0, ClientHandshake.u32(message, 4));
    } else if (inputListener != null && type == QEMU) {
      // QEMU's extended key event (noVNC sends its keys so when the desktop offers it): the keysym, not the scancode
      inputListener.key(PixelFormat.u16(message, 2) != 0, ClientHandshake.u32(message, 4));
    } else if (inputListener != null && type == POINTER_EVENT) {
      inputListener.pointer(message[1] & 0xff, PixelFormat.u16(message, 2), PixelFormat.u16(message, 4));
    }
    if (type == SET_PIXEL_FORMAT) {
      PixelFormat asked = PixelFormat.read(message, 4);
      if (asked == null) {
        violation("SetPixelFormat with " + (message[4] & 0xff) + " bits per pixel");
        return;
      }
      pixelFormat = asked;
    }
    if (type == SET_ENCODINGS && policy.encodingAllowed() != null) {
      out.writeBytes(keptEncodings());
      return;
    }
    out.write(message, 0, length);
  }

  private byte[] keptEncodings() {
    int n = PixelFormat.u16(message, 2);
    byte[] kept = new byte[4 + 4 * n];
    kept[0] = SET_ENCODINGS;
    int k = 0;
    for (int i = 0; i < n; i++) {
      int encoding = (int) ClientHandshake.u32(message, 4 + 4 * i);
      if (policy.encodingAllowed().test(encoding)) {
        System.arraycopy(message, 4 + 4 * i, kept, 4 + 4 * k, 4);
        k++;
      }
    }
    PixelFormat.putU16(kept, 2, k);
    return Arrays.copyOf(kept, 4 + 4 * k);
  }

  private int violation(String why) {
    failure = why;
    return -1;
  }

  private void ensureCapacity(int n) {
    if (message.length < n) {
      message = Arrays.copyOf(message, Math.max(n, message.length * 2));
    }
  }
}
