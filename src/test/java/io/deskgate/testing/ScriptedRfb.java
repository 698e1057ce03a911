package io.deskgate.testing;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The server side of an RFB 3.8 handshake with security None, scripted over a blocking socket, for
 * test desktops that then do something of their own (swallow, stream, misbehave).
 */
public final class ScriptedRfb {

  /** 32 bits per pixel, depth 24, little-endian true colour: what Xvnc announces. */
  public static final byte[] PIXEL_FORMAT = {32, 24, 0, 1, 0, (byte) 255, 0, (byte) 255, 0, (byte) 255, 16, 8, 0, 0,
      0, 0};

  private ScriptedRfb() {}

  /** Version, security None, ClientInit, ServerInit named {@code name}. */
  public static void serveNone(InputStream in, OutputStream out, String name) throws IOException {
    DataInputStream data = new DataInputStream(in);
    out.write("RFB 003.008\n".getBytes(StandardCharsets.US_ASCII));
    out.flush();
    data.readFully(new byte[12]);
    out.write(new byte[] {1, 1});
    out.flush();
    data.readFully(new byte[1]);
    out.write(new byte[4]);
    out.flush();
    data.readFully(new byte[1]);
    out.write(serverInit(name));
    out.flush();
  }

  /**
   * The security types a VNC server itself offers an RFB 3.8 client, asked directly on loopback (not
   * through Deskgate); the connection then ends before any security is chosen.
   */
  public static List<Integer> securityTypesOffered(int port) throws IOException {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      DataInputStream in = new DataInputStream(s.getInputStream());
      in.readFully(new byte[12]);
      s.getOutputStream().write("RFB 003.008\n".getBytes(StandardCharsets.US_ASCII));
      byte[] types = new byte[in.readUnsignedByte()];
      in.readFully(types);
      List<Integer> offered = new ArrayList<>();
      for (byte t : types) {
        offered.add(t & 0xff);
      }
      return offered;
    }
  }

  public static byte[] serverInit(String name) {
    byte[] text = name.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(24 + text.length).putShort((short) 1024).putShort((short) 768).put(PIXEL_FORMAT)
        .putInt(text.length).put(text).array();
  }
}
