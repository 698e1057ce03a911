package io.deskgate.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A WebSocket client at the byte level (RFC 6455), to send what browsers never do: huge or fragmented
 * frames, text, compressed bombs, floods of pings it never reads the answers to.
 */
public final class RawWebSocket implements AutoCloseable {

  public static final int CONTINUATION = 0;
  public static final int TEXT = 1;
  public static final int BINARY = 2;
  public static final int CLOSE = 8;
  public static final int PING = 9;
  public static final int PONG = 10;

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final String extensions;

  private RawWebSocket(Socket socket, String extensions) throws IOException {
    this.socket = socket;
    this.in = socket.getInputStream();
    this.out = socket.getOutputStream();
    this.extensions = extensions;
  }

  /** Opens the console WebSocket of the node on {@code port} with {@code token}; optionally offers permessage-deflate. */
  public static RawWebSocket open(int port, String token, boolean offerDeflate) {
    return open(port, token, offerDeflate, null);
  }

  /** As {@link #open(int, String, boolean)}, connecting from {@code localAddress} (null: any). */
  public static RawWebSocket open(int port, String token, boolean offerDeflate, String localAddress) {
    try {
      Socket s = new Socket();
      if (localAddress != null) {
        s.bind(new InetSocketAddress(localAddress, 0));
      }
      s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
      s.setSoTimeout(10_000);
      String request = "GET /vnc/console/websockify?token=" + token + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
          + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
          + "Sec-WebSocket-Version: 13\r\n"
          + (offerDeflate ? "Sec-WebSocket-Extensions: permessage-deflate; client_no_context_takeover\r\n" : "") + "\r\n";
      s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      InputStream in = s.getInputStream();
      while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
        int b = in.read();
        if (b < 0) {
          throw new IOException("closed during the upgrade: " + head);
        }
        head.write(b);
      }
      String text = head.toString(StandardCharsets.ISO_8859_1);
      if (!text.startsWith("HTTP/1.1 101")) {
        throw new IOException("upgrade refused: " + text);
      }
      String extensions = null;
      for (String line : text.split("\r\n")) {
        if (line.toLowerCase().startsWith("sec-websocket-extensions:")) {
          extensions = line.substring(line.indexOf(':') + 1).trim();
        }
      }
      return new RawWebSocket(s, extensions);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The extensions the server accepted, or null. */
  public String extensions() {
    return extensions;
  }

  /** Sends one masked frame; false when the server had already closed the connection. */
  public boolean send(boolean fin, boolean rsv1, int opcode, byte[] payload) {
    return sendHeader(fin, rsv1, opcode, payload.length) && sendPayload(payload);
  }

  /** A frame's header declaring {@code length} payload bytes; the payload follows with {@link #sendPayload}. */
  public boolean sendHeader(boolean fin, boolean rsv1, int opcode, long length) {
    ByteArrayOutputStream h = new ByteArrayOutputStream();
    h.write((fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | opcode);
    if (length < 126) {
      h.write(0x80 | (int) length);
    } else if (length < 65536) {
      h.write(0x80 | 126);
      h.write((int) (length >> 8));
      h.write((int) length);
    } else {
      h.write(0x80 | 127);
      for (int i = 7; i >= 0; i--) {
        h.write((int) (length >> (8 * i)));
      }
    }
    h.writeBytes(new byte[4]);
    return write(h.toByteArray());
  }

  /** Payload bytes, masked with the all-zero key every header here carries. */
  public boolean sendPayload(byte[] payload) {
    return write(payload);
  }

  private boolean write(byte[] bytes) {
    return RawHttp.writeAll(out, bytes);
  }

  /** A random binary payload. */
  public static byte[] random(int n) {
    byte[] b = new byte[n];
    ThreadLocalRandom.current().nextBytes(b);
    return b;
  }

  /**
   * Reads frames until a close frame and returns its status code (-1 when the connection ended without
   * one, or nothing came within {@code wait}).
   */
  public int awaitCloseCode(Duration wait) {
    long deadline = System.nanoTime() + wait.toNanos();
    try {
      while (System.nanoTime() < deadline) {
        socket.setSoTimeout((int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        int b0 = in.read();
        if (b0 < 0) {
          return -1;
        }
        int b1 = in.read();
        long length = b1 & 0x7f;
        if (length == 126) {
          length = (in.read() << 8) | in.read();
        } else if (length == 127) {
          length = 0;
          for (int i = 0; i < 8; i++) {
            length = (length << 8) | in.read();
          }
        }
        byte[] payload = in.readNBytes((int) Math.min(length, Integer.MAX_VALUE));
        if ((b0 & 0x0f) == CLOSE) {
          return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
        }
      }
    } catch (SocketTimeoutException e) {
      return -1;
    } catch (IOException e) {
      return -1;
    }
    return -1;
  }

  /** True when the server ends the connection within {@code wait}, reading and dropping what it sends. */
  public boolean closedWithin(Duration wait) {
    long deadline = System.nanoTime() + wait.toNanos();
    try {
      byte[] sink = new byte[65536];
      while (System.nanoTime() < deadline) {
        socket.setSoTimeout((int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        if (in.read(sink) < 0) {
          return true;
        }
      }
      return false;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true;
    }
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // already reset by the server
    }
  }
}
