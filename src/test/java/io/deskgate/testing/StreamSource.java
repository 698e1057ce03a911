package io.deskgate.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP endpoint that, once a connection arrives, writes {@code total} bytes (byte i is i % 251) as
 * fast as the connection takes them, and counts what the kernel accepted. The proxy is byte-transparent,
 * so this stands for a VNC server streaming screen updates; it also stands for a broken endpoint that
 * accepts and never speaks ({@code total} = 0).
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

  public int port() {
    return server.getLocalPort();
  }

  public long written() {
    return written.get();
  }

  private void serve(long total) {
    try (Socket s = server.accept(); OutputStream out = s.getOutputStream()) {
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
