package io.deskgate.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A desktop endpoint that runs a script on each connection: hostile VNC servers (banners that are not
 * RFB, endless failure reasons, drips, garbage), or an honest RFB handshake followed by recording what
 * the console sends ({@link #received}).
 */
public final class ScriptedDesktop implements AutoCloseable {

  /** What the desktop does with one connection. */
  public interface Script {
    void run(InputStream in, OutputStream out) throws IOException, InterruptedException;
  }

  private final ServerSocket server;
  private final Script script;
  private final ByteArrayOutputStream received = new ByteArrayOutputStream();
  private final AtomicInteger connections = new AtomicInteger();

  public ScriptedDesktop(Script script) {
    this.script = script;
    try {
      server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Thread acceptor = new Thread(this::accept, "scripted-desktop");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /**
   * A desktop for tests of what happens on the browser's side: an RFB 3.8 handshake (None), then
   * whatever the console sends is swallowed, unrecorded however much it is.
   */
  public static ScriptedDesktop sink() {
    return new ScriptedDesktop((in, out) -> {
      ScriptedRfb.serveNone(in, out, "sink");
      in.transferTo(OutputStream.nullOutputStream());
    });
  }

  /** A desktop that completes an RFB 3.8 handshake (None), runs {@code then}, and records whatever it receives. */
  public static ScriptedDesktop recording(Script then) {
    ScriptedDesktop[] self = new ScriptedDesktop[1];
    self[0] = new ScriptedDesktop((in, out) -> {
      ScriptedRfb.serveNone(in, out, "scripted");
      then.run(in, out);
      byte[] chunk = new byte[4096];
      for (int n; (n = in.read(chunk)) >= 0; ) {
        self[0].record(chunk, n);
      }
    });
    return self[0];
  }

  public int port() {
    return server.getLocalPort();
  }

  public int connections() {
    return connections.get();
  }

  /** Everything the desktop's connections received after the handshake so far. */
  public byte[] received() {
    synchronized (received) {
      return received.toByteArray();
    }
  }

  private void record(byte[] chunk, int n) {
    synchronized (received) {
      received.write(chunk, 0, n);
    }
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket s = server.accept();
        connections.incrementAndGet();
        Thread t = new Thread(() -> {
          try (s) {
            script.run(s.getInputStream(), s.getOutputStream());
          } catch (IOException | InterruptedException ended) {
            // the console hung up
          }
        }, "scripted-desktop-connection");
        t.setDaemon(true);
        t.start();
      } catch (IOException closed) {
        return;
      }
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
