package io.deskgate.testing;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * A WebSocket client for the console proxy, as a browser's noVNC would use it: it may send an Origin,
 * offer subprotocols, and reads the stream of bytes the proxy relays. Blocking API for tests.
 */
public final class ConsoleClient implements AutoCloseable {

  private static final Vertx VERTX = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
  private static final WebSocketClient CLIENT = VERTX.createWebSocketClient(new WebSocketClientOptions()
      .setMaxFrameSize(1 << 20).setMaxMessageSize(64 << 20).setConnectTimeout(5000)
      // tests open many sockets to one proxy; Vert.x would otherwise queue connects past 50 per server
      .setMaxConnections(10_000)
      // wss:// URLs in tests are served with self-signed certificates
      .setTrustAll(true).setVerifyHost(false));

  /** How the WebSocket ended: the close frame's code and reason. */
  public record Close(Short code, String reason) {}

  /** The upgrade was answered with an HTTP status instead of a WebSocket. */
  public static final class Rejected extends RuntimeException {
    public final int status;

    Rejected(int status) {
      super("upgrade rejected with HTTP " + status);
      this.status = status;
    }
  }

  private final WebSocket ws;
  private final ByteArrayOutputStream received = new ByteArrayOutputStream();
  private int readOffset;
  private Consumer<Buffer> diverted;
  private final CompletableFuture<Close> closed = new CompletableFuture<>();

  private ConsoleClient(WebSocket ws) {
    this.ws = ws;
  }

  /** Opens {@code wsUrl}; {@code origin} may be null (not a browser), {@code subprotocols} empty. */
  public static ConsoleClient connect(String wsUrl, String origin, List<String> subprotocols) {
    return connect(wsUrl, origin, subprotocols, java.util.Map.of());
  }

  /** Like {@link #connect(String, String, List)}, with extra request headers (such as a proxy's X-Forwarded-For). */
  public static ConsoleClient connect(String wsUrl, String origin, List<String> subprotocols,
                                      java.util.Map<String, String> headers) {
    WebSocketConnectOptions options = new WebSocketConnectOptions().setAbsoluteURI(wsUrl).setSsl(wsUrl.startsWith("wss:"))
        .setSubProtocols(subprotocols.isEmpty() ? null : subprotocols);
    if (origin != null) {
      options.addHeader("Origin", origin);
    }
    headers.forEach(options::addHeader);
    CompletableFuture<ConsoleClient> opened = new CompletableFuture<>();
    // handlers before the connect: the proxy may send its first frame together with the upgrade answer,
    // and a frame that arrives before a handler is set is lost
    ClientWebSocket socket = CLIENT.webSocket();
    ConsoleClient client = new ConsoleClient(socket);
    client.listen();
    socket.connect(options).onComplete(ar -> {
      if (ar.succeeded()) {
        opened.complete(client);
      } else if (ar.cause() instanceof IllegalStateException && closedAtOnce(socket)) {
        // the close frame came with the upgrade answer (a refused console): Vert.x then refuses to take
        // the handlers, but the WebSocket did open and its close code is known
        client.done();
        opened.complete(client);
      } else {
        opened.completeExceptionally(ar.cause());
      }
    });
    try {
      return opened.get(20, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UpgradeRejectedException rejected) {
        throw new Rejected(rejected.getStatus());
      }
      throw new IllegalStateException(e.getCause());
    } catch (InterruptedException | TimeoutException e) {
      throw new IllegalStateException("WebSocket did not open", e);
    }
  }

  /** The console WebSocket URL of a node, with the token in the query. */
  public static String urlWithToken(TestNode node, String token) {
    return node.baseUrl().replaceFirst("^http", "ws") + "/vnc/console/websockify?token=" + token;
  }

  public static String url(TestNode node) {
    return node.baseUrl().replaceFirst("^http", "ws") + "/vnc/console/websockify";
  }

  private static boolean closedAtOnce(ClientWebSocket socket) {
    try {
      return socket.closeStatusCode() != null;
    } catch (IllegalStateException notConnected) {
      return false;
    }
  }

  private void listen() {
    ws.handler(data -> {
      synchronized (received) {
        if (diverted != null) {
          diverted.accept(data);
          return;
        }
        received.writeBytes(data.getBytes());
        received.notifyAll();
      }
    });
    // The end of the stream comes after every message queued while paused; the connection's close may
    // be reported before them (and alone when the peer vanishes). The close code is the close frame's.
    ws.endHandler(v -> done());
    ws.closeHandler(v -> VERTX.setTimer(10_000, t -> done()));
  }

  private void done() {
    closed.complete(new Close(ws.closeStatusCode(), ws.closeReason()));
    synchronized (received) {
      received.notifyAll();
    }
  }

  public String subprotocol() {
    return ws.subProtocol();
  }

  /** Exactly {@code n} bytes, waiting up to {@code timeout}; fails if the socket closes first. */
  public byte[] read(int n, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (received) {
      while (received.size() - readOffset < n) {
        long left = deadline - System.nanoTime();
        if (closed.isDone() || left <= 0) {
          throw new IllegalStateException("wanted " + n + " bytes, got " + (received.size() - readOffset)
              + (closed.isDone() ? " before close " + closed.join() : " before timeout"));
        }
        try {
          received.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
      }
      byte[] all = received.toByteArray();
      byte[] out = new byte[n];
      System.arraycopy(all, readOffset, out, 0, n);
      readOffset += n;
      return out;
    }
  }

  /**
   * From now on hands every received message to {@code sink} (on the client's event loop) instead of
   * keeping it, first what was received and not yet read: for streams too long to hold.
   */
  public void divert(Consumer<Buffer> sink) {
    synchronized (received) {
      byte[] unread = received.toByteArray();
      if (unread.length > readOffset) {
        sink.accept(Buffer.buffer().appendBytes(unread, readOffset, unread.length - readOffset));
      }
      received.reset();
      readOffset = 0;
      diverted = sink;
    }
  }

  public int bytesReceived() {
    synchronized (received) {
      return received.size();
    }
  }

  public void send(byte[] data) {
    ws.writeBinaryMessage(Buffer.buffer(data)).toCompletionStage().toCompletableFuture().join();
  }

  /** Stops reading from the socket, as a browser tab that froze would. */
  public void pause() {
    ws.pause();
  }

  public void resume() {
    ws.resume();
  }

  public Close awaitClose(Duration timeout) {
    try {
      return closed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException | ExecutionException | TimeoutException e) {
      throw new IllegalStateException("WebSocket did not close within " + timeout, e);
    }
  }

  public boolean isClosed() {
    return closed.isDone();
  }

  @Override
  public void close() {
    if (!ws.isClosed()) {
      ws.close();
    }
  }
}
