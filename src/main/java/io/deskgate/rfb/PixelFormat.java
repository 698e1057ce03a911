package io.deskgate.rfb;

/** An RFB PIXEL_FORMAT (RFC 6143, 7.4), the 16 bytes of ServerInit and SetPixelFormat. */
public record PixelFormat(int bitsPerPixel, int depth, boolean bigEndian, boolean trueColour, int redMax,
                          int greenMax, int blueMax, int redShift, int greenShift, int blueShift) {

  public static final int BYTES = 16;

  /** Reads one at {@code at}; null when it is not one a client can use (bits per pixel other than 8, 16, 32). */
  public static PixelFormat read(byte[] b, int at) {
    int bpp = b[at] & 0xff;
    int depth = b[at + 1] & 0xff;
    if (bpp != 8 && bpp != 16 && bpp != 32 || depth == 0 || depth > bpp) {
      return null;
    }
    return new PixelFormat(bpp, depth, b[at + 2] != 0, b[at + 3] != 0, u16(b, at + 4), u16(b, at + 6), u16(b, at + 8),
        b[at + 10] & 0xff, b[at + 11] & 0xff, b[at + 12] & 0xff);
  }

  public int bytesPerPixel() {
    return bitsPerPixel / 8;
  }

  /**
   * The size of a Tight encoding's TPIXEL: 3 bytes when the pixels are 32-bit true colour with 8-bit
   * channels (depth 24), otherwise a whole pixel.
   */
  public int tightPixelBytes() {
    return trueColour && bitsPerPixel == 32 && depth == 24 && redMax == 255 && greenMax == 255 && blueMax == 255
        ? 3 : bytesPerPixel();
  }

  void write(byte[] b, int at) {
    b[at] = (byte) bitsPerPixel;
    b[at + 1] = (byte) depth;
    b[at + 2] = (byte) (bigEndian ? 1 : 0);
    b[at + 3] = (byte) (trueColour ? 1 : 0);
    putU16(b, at + 4, redMax);
    putU16(b, at + 6, greenMax);
    putU16(b, at + 8, blueMax);
    b[at + 10] = (byte) redShift;
    b[at + 11] = (byte) greenShift;
    b[at + 12] = (byte) blueShift;
  }

  static int u16(byte[] b, int at) {
    return ((b[at] & 0xff) << 8) | (b[at + 1] & 0xff);
  }

  static void putU16(byte[] b, int at, int v) {
    b[at] = (byte) (v >>> 8);
    b[at + 1] = (byte) v;
  }
}
