package io.deskgate.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * A desktop endpoint for tests of what happens on the browser's side: every connection gets an RFB 3.8
 * handshake with security None, then whatever it sends is swallowed. (After the handshake Deskgate
 * relays the desktop's stream as it comes; no real VNC server is needed to hold a console open.)
 */
public final class BannerSink implements AutoCloseable {

  private final ServerSocket server;

  public BannerSink() {
    try {
      server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Thread acceptor = new Thread(this::accept, "banner-sink");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  public int port() {
    return server.getLocalPort();
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket s = server.accept();
        Thread t = new Thread(() -> swallow(s), "banner-sink-connection");
        t.setDaemon(true);
        t.start();
      } catch (IOException closed) {
        return;
      }
    }
  }

  private static void swallow(Socket s) {
    try (s; InputStream in = s.getInputStream()) {
      ScriptedRfb.serveNone(in, s.getOutputStream(), "banner-sink");
      byte[] drop = new byte[65536];
      while (in.read(drop) >= 0) {
        // swallow
      }
    } catch (IOException ended) {
      // the proxy closed the session
    }
  }

  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException ignored) {
      // closing a listening socket
    }
  }
}
