package io.deskgate.testing;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** RFB messages as bytes, for tests that script either side of a console. */
public final class RfbMessages {

  public static final int CLIENT_CUT_TEXT = 6;
  public static final int SERVER_CUT_TEXT = 3;

  private RfbMessages() {}

  /** ClientCutText ({@code type} 6) or ServerCutText (3) of {@code text} (Latin-1). */
  public static byte[] cutText(int type, String text) {
    byte[] t = text.getBytes(StandardCharsets.ISO_8859_1);
    return ByteBuffer.allocate(8 + t.length).put((byte) type).put(new byte[3]).putInt(t.length).put(t).array();
  }

  public static byte[] setEncodings(int... encodings) {
    ByteBuffer b = ByteBuffer.allocate(4 + 4 * encodings.length).put((byte) 2).put((byte) 0)
        .putShort((short) encodings.length);
    for (int e : encodings) {
      b.putInt(e);
    }
    return b.array();
  }

  /** The parts, one after the other. */
  public static byte[] all(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }
}
