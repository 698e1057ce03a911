package io.deskgate.rfb;

import java.nio.charset.StandardCharsets;

/** A desktop's ServerInit (RFC 6143, 7.3.2): its screen size, pixel format and name. */
public record ServerInit(int width, int height, PixelFormat pixelFormat, String name) {

  /** The message, with {@code name} in place of the desktop's own (UTF-8, as RFB 3.8 clients read it). */
  public byte[] encode(String name) {
    byte[] text = name.getBytes(StandardCharsets.UTF_8);
    byte[] b = new byte[24 + text.length];
    PixelFormat.putU16(b, 0, width);
    PixelFormat.putU16(b, 2, height);
    pixelFormat.write(b, 4);
    b[20] = (byte) (text.length >>> 24);
    b[21] = (byte) (text.length >>> 16);
    b[22] = (byte) (text.length >>> 8);
    b[23] = (byte) text.length;
    System.arraycopy(text, 0, b, 24, text.length);
    return b;
  }
}
