package io.deskgate.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A desktop endpoint that, once a connection arrives and has passed an RFB handshake (security None),
 * writes a FramebufferUpdate header ({@link #HEADER_BYTES}) and then {@code total} bytes of pixels (byte
 * i is i % 251) as fast as the connection takes them, and counts what the kernel accepted. After the handshake Deskgate relays the desktop's stream as it comes, so this
 * stands for a VNC server streaming screen updates. With {@code total} = 0 it stands for a broken
 * endpoint that accepts and never speaks.
 */
public final class StreamSource implements AutoCloseable {

  private final ServerSocket server;
  private final AtomicLong written = new AtomicLong();
  private final Thread thread;

  public StreamSource(long total) throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    thread = new Thread(() -> serve(total), "stream-source");
    thread.setDaemon(true);
    thread.start();
  }

  /** Bytes of the FramebufferUpdate header that comes before the {@code total} bytes of pixels. */
  public static final int HEADER_BYTES = 16;

  /** A FramebufferUpdate with one raw rectangle of at least {@code total} bytes (32-bit pixels, 4096 wide). */
  static byte[] updateHeader(long total) {
    int height = (int) Math.min(65535, (total + 4096 * 4 - 1) / (4096 * 4));
    return java.nio.ByteBuffer.allocate(HEADER_BYTES).put((byte) 0).put((byte) 0).putShort((short) 1)
        .putShort((short) 0).putShort((short) 0).putShort((short) 4096).putShort((short) height).putInt(0).array();
  }

  public int port() {
    return server.getLocalPort();
  }

  public long written() {
    return written.get();
  }

  private void serve(long total) {
    try (Socket s = server.accept(); OutputStream out = s.getOutputStream()) {
      if (total > 0) {
        ScriptedRfb.serveNone(s.getInputStream(), out, "stream-source");
        out.write(updateHeader(total));
      }
      byte[] chunk = new byte[251 * 256];
      for (int i = 0; i < chunk.length; i++) {
        chunk[i] = (byte) (i % 251);
      }
      long left = total;
      while (left > 0) {
        int n = (int) Math.min(chunk.length, left);
        out.write(chunk, 0, n);
        written.addAndGet(n);
        left -= n;
      }
      out.flush();
      if (total == 0) {
        s.getInputStream().read();
      }
    } catch (IOException closed) {
      // the proxy hung up: done
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
