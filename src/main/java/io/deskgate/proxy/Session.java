package io.deskgate.proxy;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetSocket;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One live console: a browser WebSocket joined to a desktop's VNC TCP connection. Everything here runs
 * on the event loop that owns both sockets; {@link Sessions} reaches in only through {@link #end}.
 */
final class Session {

  private static final Logger log = LoggerFactory.getLogger("deskgate.console");
  private static final AtomicLong IDS = new AtomicLong();
  private static final long FLUSH_LIMIT_MS = 30_000;

  final long id = IDS.incrementAndGet();
  final TokenLookup.Target target;
  private final ServerWebSocket ws;
  private final Channel browserChannel;
  private final String client;
  private final NetSocket vnc;
  private final Channel vncChannel;
  private final Sessions owner;
  private final Context context;
  private final long openedAt = System.nanoTime();
  private final long openedAtMillis = System.currentTimeMillis();
  private volatile long lastActivity = openedAt;
  private long toDesktop;
  private long toBrowser;
  private long handshakeTimer = -1;
  private Relay desktopToBrowser;
  private boolean ended;

  Session(ServerWebSocket ws, Channel browserChannel, NetSocket vnc, TokenLookup.Target target, String client,
          Sessions owner, Context context) {
    this.ws = ws;
    this.client = client;
    this.browserChannel = browserChannel;
    this.vnc = vnc;
    this.vncChannel = ((NetSocketInternal) vnc).channelHandlerContext().channel();
    this.target = target;
    this.owner = owner;
    this.context = context;
  }

  void start(String requestId, long handshakeTimeoutMs) {
    browserChannel.pipeline().addBefore("handler", BrowserGuard.NAME, owner.browserGuard(this::end));
    log.info("console s={} req={} desktop={} user={} client={} opened, relaying to {}:{}", id, requestId,
        target.desktopId(), target.userId(), client, target.host(), target.port());
    handshakeTimer = context.owner().setTimer(handshakeTimeoutMs, t -> {
      if (toBrowser == 0) {
        end(CloseReason.DESKTOP_SILENT);
      }
    });
    new Relay(ws, vnc, Relay.paused(ws), () -> !ended, n -> {
      toDesktop += n;
      lastActivity = System.nanoTime();
      owner.metrics().relayedToDesktop(n);
    });
    desktopToBrowser = new Relay(vnc, ws, Relay.autoRead(vncChannel), () -> !ended && !ws.isClosed(), n -> {
      toBrowser += n;
      lastActivity = System.nanoTime();
      owner.metrics().relayedToBrowser(n);
    });
    ws.closeHandler(v -> end(CloseReason.BROWSER_CLOSED));
    // The end of the desktop's stream, not its socket's close: the close is reported at once, while
    // data the relay has not yet passed on (held back by back-pressure) still waits to be delivered.
    vnc.endHandler(v -> end(CloseReason.DESKTOP_CLOSED));
    ws.exceptionHandler(e -> {
      log.info("console s={} browser connection error: {}", id, e.toString());
      end(CloseReason.BROWSER_CLOSED);
    });
    vnc.exceptionHandler(e -> {
      log.info("console s={} desktop connection error: {}", id, e.toString());
      end(CloseReason.DESKTOP_CLOSED);
    });
  }

  /** The event loops of the browser's and the desktop's connection: one and the same, by design. */
  List<EventLoop> loops() {
    return List.of(browserChannel.eventLoop(), vncChannel.eventLoop());
  }

  /** This session as the cluster's session list records it. */
  Sessions.Live live() {
    return new Sessions.Live(owner.nodeId() + ":" + id, target.desktopId(), target.userId(), openedAtMillis, client);
  }

  long idleNanos(long now) {
    return now - lastActivity;
  }

  /** Ends the session from any thread: closes both sides once, with the reason sent to the browser. */
  void end(CloseReason reason) {
    if (Vertx.currentContext() == context) {
      endHere(reason);
    } else {
      context.runOnContext(v -> endHere(reason));
    }
  }

  private void closeBrowser(CloseReason reason) {
    if (!ws.isClosed()) {
      ws.close(reason.code(), reason.text());
    }
  }

  private void endHere(CloseReason reason) {
    if (ended) {
      return;
    }
    ended = true;
    context.owner().cancelTimer(handshakeTimer);
    if (!ws.isClosed()) {
      // what the desktop sent last reaches the browser before the close frame (or after a time limit)
      Future<Void> sent = reason == CloseReason.DESKTOP_CLOSED && desktopToBrowser != null
          ? desktopToBrowser.flushed() : Future.succeededFuture();
      long limit = context.owner().setTimer(FLUSH_LIMIT_MS, t -> closeBrowser(reason));
      sent.onComplete(done -> {
        context.owner().cancelTimer(limit);
        closeBrowser(reason);
      });
    }
    vnc.close();
    owner.ended(this, reason);
    log.info("console s={} desktop={} ended: {} after {} s, {} bytes to browser, {} bytes to desktop", id,
        target.desktopId(), reason.text(), String.format("%.1f", (System.nanoTime() - openedAt) / 1e9),
        toBrowser, toDesktop);
  }
}
