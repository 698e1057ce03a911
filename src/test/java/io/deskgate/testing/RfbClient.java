package io.deskgate.testing;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;

/**
 * The client side of RFB 3.8 (RFC 6143) as a browser speaks it to Deskgate, enough to prove a real VNC
 * server is reached through the proxy: version, security (Deskgate offers None and nothing else: the
 * page never holds a desktop's credentials), ClientInit/ServerInit, one framebuffer update.
 */
public final class RfbClient {

  private static final Duration STEP = Duration.ofSeconds(10);

  /** What the server announced in ServerInit. */
  public record ServerInit(int width, int height, int bitsPerPixel, String name) {}

  private final ConsoleClient io;

  public RfbClient(ConsoleClient io) {
    this.io = io;
  }

  public String readVersion() {
    return new String(io.read(12, STEP), StandardCharsets.US_ASCII);
  }

  /** Version, security None (the only type offered), ClientInit (shared), ServerInit. */
  public ServerInit handshake() {
    String version = readVersion();
    if (!version.equals("RFB 003.008\n")) {
      throw new IllegalStateException("unexpected server version " + version.trim());
    }
    io.send("RFB 003.008\n".getBytes(StandardCharsets.US_ASCII));
    int count = io.read(1, STEP)[0] & 0xff;
    if (count == 0) {
      throw new IllegalStateException("server refused: " + reason());
    }
    byte[] types = io.read(count, STEP);
    if (types.length != 1 || types[0] != 1) {
      throw new IllegalStateException("Deskgate offers security None only, got types " + Arrays.toString(types));
    }
    io.send(new byte[] {1});
    int result = ByteBuffer.wrap(io.read(4, STEP)).getInt();
    if (result != 0) {
      throw new IllegalStateException("security failed: " + reason());
    }
    io.send(new byte[] {1});
    ByteBuffer init = ByteBuffer.wrap(io.read(24, STEP));
    int width = init.getShort() & 0xffff;
    int height = init.getShort() & 0xffff;
    int bitsPerPixel = init.get() & 0xff;
    init.position(20);
    int nameLength = init.getInt();
    String name = new String(io.read(nameLength, STEP), StandardCharsets.UTF_8);
    return new ServerInit(width, height, bitsPerPixel, name);
  }

  /**
   * Asks for the whole screen, reads the FramebufferUpdate that answers (raw encoding, the default
   * when the client sets none) to its end, and returns its number of rectangles.
   */
  public int framebufferUpdate(ServerInit init) {
    ByteBuffer request = ByteBuffer.allocate(10).put((byte) 3).put((byte) 0).putShort((short) 0).putShort((short) 0)
        .putShort((short) init.width()).putShort((short) init.height());
    io.send(request.array());
    byte[] header = io.read(4, STEP);
    if (header[0] != 0) {
      throw new IllegalStateException("expected FramebufferUpdate (0), got message type " + header[0]);
    }
    int rectangles = ((header[2] & 0xff) << 8) | (header[3] & 0xff);
    for (int i = 0; i < rectangles; i++) {
      ByteBuffer rect = ByteBuffer.wrap(io.read(12, STEP));
      rect.position(4);
      int w = rect.getShort() & 0xffff;
      int h = rect.getShort() & 0xffff;
      int encoding = rect.getInt();
      if (encoding != 0) {
        throw new IllegalStateException("expected raw rectangles, got encoding " + encoding);
      }
      io.read(w * h * init.bitsPerPixel() / 8, STEP);
    }
    return rectangles;
  }

  private String reason() {
    int length = ByteBuffer.wrap(io.read(4, STEP)).getInt();
    return new String(io.read(length, STEP), StandardCharsets.UTF_8);
  }
}
