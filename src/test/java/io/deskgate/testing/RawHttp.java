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
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 spoken byte by byte, as a hostile client would: requests that no well-behaved client
 * library would send, and a reader that reports exactly what came back and whether the server closed.
 */
public final class RawHttp implements AutoCloseable {

  /** What the server sent: null status when it closed (or stayed silent) without answering. */
  public record Response(Integer status, Map<String, String> headers, String body, boolean closed, long millis) {
    public String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final long started = System.nanoTime();

  public RawHttp(int port) {
    this(port, null);
  }

  /** Connects from {@code localAddress} (such as 127.0.0.2: another client on this machine), or any when null. */
  public RawHttp(int port, String localAddress) {
    try {
      socket = new Socket();
      if (localAddress != null) {
        socket.bind(new InetSocketAddress(localAddress, 0));
      }
      socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
      socket.setTcpNoDelay(true);
      in = socket.getInputStream();
      out = socket.getOutputStream();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Sends bytes; false when the server had already closed or reset the connection. */
  public boolean send(byte[] bytes) {
    return writeAll(out, bytes);
  }

  /** Writes and flushes; false when the peer had already closed or reset the connection. */
  static boolean writeAll(OutputStream out, byte[] bytes) {
    try {
      out.write(bytes);
      out.flush();
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  public boolean send(String text) {
    return send(text.getBytes(StandardCharsets.ISO_8859_1));
  }

  /** Reads one response (to a request made with {@code method}), waiting at most {@code wait}. */
  public Response read(String method, Duration wait) {
    long deadline = System.nanoTime() + wait.toNanos();
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    try {
      int matched = 0;
      while (matched < 4) {
        int b = readByte(deadline);
        if (b < 0) {
          return new Response(null, Map.of(), "", true, elapsed());
        }
        head.write(b);
        matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
            ? matched + 1 : (b == '\r' ? 1 : 0);
      }
      String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
      int status = Integer.parseInt(lines[0].split(" ")[1]);
      Map<String, String> headers = new LinkedHashMap<>();
      for (int i = 1; i < lines.length; i++) {
        int colon = lines[i].indexOf(':');
        if (colon > 0) {
          headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
        }
      }
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      boolean noBody = method.equals("HEAD") || status == 204 || status == 304 || status / 100 == 1;
      if (!noBody) {
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
          readChunked(body, deadline);
        } else if (headers.containsKey("content-length")) {
          long n = Long.parseLong(headers.get("content-length"));
          for (long i = 0; i < n; i++) {
            int b = readByte(deadline);
            if (b < 0) {
              break;
            }
            body.write(b);
          }
        } else {
          for (int b = readByte(deadline); b >= 0; b = readByte(deadline)) {
            body.write(b);
          }
        }
      }
      return new Response(status, headers, body.toString(StandardCharsets.UTF_8), false, elapsed());
    } catch (SocketTimeoutException e) {
      return new Response(null, Map.of(), "", false, elapsed());
    } catch (IOException e) {
      return new Response(null, Map.of(), "", true, elapsed());
    }
  }

  /** True when the server closes the connection within {@code wait} (reading and dropping anything else). */
  public boolean closedWithin(Duration wait) {
    long deadline = System.nanoTime() + wait.toNanos();
    try {
      while (true) {
        if (readByte(deadline) < 0) {
          return true;
        }
      }
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true;
    }
  }

  private void readChunked(ByteArrayOutputStream body, long deadline) throws IOException {
    while (true) {
      StringBuilder size = new StringBuilder();
      for (int b = readByte(deadline); b != '\n'; b = readByte(deadline)) {
        if (b < 0) {
          return;
        }
        if (b != '\r') {
          size.append((char) b);
        }
      }
      int n = Integer.parseInt(size.toString().split(";")[0].trim(), 16);
      for (int i = 0; i < n + 2; i++) {
        int b = readByte(deadline);
        if (i < n) {
          body.write(b);
        }
      }
      if (n == 0) {
        return;
      }
    }
  }

  private int readByte(long deadline) throws IOException {
    long left = (deadline - System.nanoTime()) / 1_000_000;
    if (left <= 0) {
      throw new SocketTimeoutException();
    }
    socket.setSoTimeout((int) Math.max(1, left));
    return in.read();
  }

  private long elapsed() {
    return (System.nanoTime() - started) / 1_000_000;
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing a socket the server may have reset already
    }
  }
}
