package io.deskgate.proxy;

import io.deskgate.recording.ConsoleRecording;
import io.deskgate.recording.Recorder;
import io.deskgate.rfb.ClientHandshake;
import io.deskgate.rfb.ClientMessages;
import io.deskgate.rfb.ServerHandshake;
import io.deskgate.rfb.ServerMessages;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetSocket;
import java.io.ByteArrayOutputStream;
import java.util.Base64;
import java.util.List;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One live console: a browser WebSocket joined to a desktop's VNC connection whose RFB handshake
 * Deskgate has completed ({@link DesktopHandshake}). Deskgate runs the browser's RFB handshake as its
 * server ({@link ServerHandshake}, security None, the desktop's ServerInit under the desktop's name),
 * then relays: the desktop's stream as it comes, the browser's parsed and policed message by message
 * ({@link ClientMessages}). Everything here runs on the event loop that owns both sockets;
 * {@link Sessions} reaches in only through {@link #end}.
 */
final class Session {

  private static final Logger log = LoggerFactory.getLogger("deskgate.console");
  private static final long FLUSH_LIMIT_MS = 30_000;
  /** How much of the desktop's stream is framed on consoles that need no scan. */
  private static final long CHECKED_START_BYTES = 64 * 1024;

  final long id;
  final TokenLookup.Target target;
  private final ServerWebSocket ws;
  private final Channel browserChannel;
  private final String client;
  private final String userAgent;
  private final NetSocket vnc;
  private final Channel vncChannel;
  private final Sessions owner;
  private final Context context;
  private final long openedAt = System.nanoTime();
  private final long openedAtMillis = System.currentTimeMillis();
  private volatile long lastActivity = openedAt;
  private long toDesktop;
  private long toBrowser;
  private boolean firstFrameSeen;
  private long handshakeTimer = -1;
  private long requestedAt;
  private final DesktopHandshake.Ready desktop;
  /** The ServerInit the browser is sent: the desktop's, under the desktop's name. */
  private final byte[] serverInit;
  /** The console's recording, null when it is not recorded. */
  private final Recorder.Opened recording;
  private ServerHandshake browserHandshake;
  private final ClientMessages browserMessages;
  private Pump desktopToBrowser;
  private Pump browserToDesktop;
  private boolean ended;
  /** Who ended the session through the API, if someone did. */
  private volatile String endedBy;

  Session(long id, ServerWebSocket ws, Channel browserChannel, NetSocket vnc, TokenLookup.Target target,
          DesktopHandshake.Ready desktop, Recorder.Opened recording, String client, String userAgent, Sessions owner,
          Context context) {
    this.id = id;
    this.ws = ws;
    this.desktop = desktop;
    this.recording = recording;
    this.serverInit = desktop.init().encode(target.computerName());
    this.browserHandshake = new ServerHandshake(serverInit);
    this.browserMessages = desktop.browser();
    this.client = client;
    this.userAgent = userAgent;
    this.browserChannel = browserChannel;
    this.vnc = vnc;
    this.vncChannel = ((NetSocketInternal) vnc).channelHandlerContext().channel();
    this.target = target;
    this.owner = owner;
    this.context = context;
  }

  /** {@code requestedAt}: when the browser's request arrived ({@link System#nanoTime}), for the open's timing. */
  void start(String requestId, long handshakeTimeoutMs, long requestedAt) {
    this.requestedAt = requestedAt;
    browserChannel.pipeline().addBefore("handler", BrowserGuard.NAME, owner.browserGuard(this::end));
    log.info("console s={} req={} desktop={} user={} client={} mode={} opened, relaying to {}:{} ({}, clipboard {})",
        id, requestId, target.desktopId(), target.userId(), client, target.policy().mode(), target.host(),
        target.port(), desktop.security(), ConsolePolicy.configName(target.policy().clipboard()));
    handshakeTimer = context.owner().setTimer(handshakeTimeoutMs, t -> {
      if (browserHandshake != null) {
        log.info("console s={} the browser did not complete its RFB handshake within {} ms", id, handshakeTimeoutMs);
        end(CloseReason.BROWSER_RFB_ERROR);
      }
    });
    if (recording != null) {
      startRecording(requestId);
    }
    desktop.earlyFailure().onSuccess(why -> {
      log.info("console s={} desktop sent what is not RFB before the browser was ready: {}", id, why);
      end(CloseReason.DESKTOP_PROTOCOL_ERROR);
    });
    if (ended) {
      return;
    }
    ws.handler(this::browserHandshake);
    ws.write(Buffer.buffer(ServerHandshake.GREETING));
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

  /**
   * The recording's first record says what the console is, with the ServerInit the browser gets; the
   * browser's key and pointer events go to it as they pass. A {@code required} console ends when its
   * recording stops early.
   */
  private void startRecording(String requestId) {
    ConsoleRecording r = recording.recording();
    r.metadata(new JsonObject().put("format", 1).put("recording_id", recording.id())
        .put("session_id", owner.publicId(id)).put("node", owner.nodeId()).put("project_id", target.projectId())
        .put("desktop_id", target.desktopId()).put("computer_name", target.computerName())
        .put("user_id", target.userId()).put("client_address", client).put("user_agent", userAgent)
        .put("mode", target.policy().mode()).put("opened_at", openedAtMillis)
        .put("server_init", Base64.getEncoder().encodeToString(serverInit))
        .encode());
    browserMessages.input(new ClientMessages.Input() {
      @Override
      public void key(boolean down, long keysym) {
        r.key(down, keysym);
      }

      @Override
      public void pointer(int buttonMask, int x, int y) {
        r.pointer(buttonMask, x, y);
      }
    });
    r.onFailure(why -> {
      if (target.policy().recording() == ConsolePolicy.Recording.REQUIRED) {
        end(CloseReason.RECORDING_FAILED);
      }
    });
    log.info("console s={} req={} recorded as {}", id, requestId, recording.id());
  }

  /** Deskgate's side of the browser's RFB handshake; then the relay starts with what followed it. */
  private void browserHandshake(Buffer data) {
    if (ended) {
      return;
    }
    byte[] bytes = data.getBytes();
    ClientHandshake.Step step = browserHandshake.feed(bytes, 0, bytes.length);
    if (step.reply().length > 0) {
      ws.write(Buffer.buffer(step.reply()));
    }
    if (browserHandshake.outcome() == ServerHandshake.Outcome.FAILED) {
      log.info("console s={} browser RFB handshake failed: {}", id, browserHandshake.detail());
      end(CloseReason.BROWSER_RFB_ERROR);
    } else if (browserHandshake.outcome() == ServerHandshake.Outcome.READY) {
      browserHandshake = null;
      context.owner().cancelTimer(handshakeTimer);
      long now = System.nanoTime();
      owner.metrics().consoleOpenStep("browser_handshake", now - openedAt);
      owner.metrics().consoleOpenStep("total", now - requestedAt);
      relay(Buffer.buffer(bytes).slice(step.consumed(), bytes.length));
    }
  }

  private void relay(Buffer afterClientInit) {
    if (ended) {
      return;
    }
    Buffer early = desktop.early();
    if (early.length() > 0) {
      toBrowser += early.length();
      record(early);
      ws.write(early.copy());
    }
    Relay framed = new Relay(vnc, ws, Relay.autoRead(vncChannel), this::browserOpen, this::sentToBrowser);
    framed.filter(this::desktopMessages);
    desktopToBrowser = framed;
    vncChannel.config().setAutoRead(true);
    if (owner.nettyPump()) {
      ws.handler(null);   // the browser's data frames go to the upstream pump from now on
      NettyUpstream upstream = NettyUpstream.install(browserChannel, vncChannel, this::browserMessages);
      browserToDesktop = upstream;
      if (afterClientInit.length() > 0) {
        fromBrowser(afterClientInit.length());
        byte[] passing = browserMessages(afterClientInit.getBytes(), 0, afterClientInit.length());
        if (passing != null) {
          upstream.pass(Unpooled.wrappedBuffer(passing));
        }
      }
      return;
    }
    Relay fromBrowser = new Relay(ws, vnc, Relay.paused(ws), () -> !ended, this::fromBrowser);
    browserToDesktop = fromBrowser;
    fromBrowser.filter(data -> {
      byte[] passing = browserMessages(data.getBytes(), 0, data.length());
      return passing == null ? null : Buffer.buffer(passing);
    });
    if (afterClientInit.length() > 0) {
      fromBrowser.pass(afterClientInit);
    }
  }

  private void fromBrowser(int n) {
    toDesktop += n;
    lastActivity = System.nanoTime();
    owner.metrics().relayedToDesktop(n);
  }

  /**
   * What of the desktop's stream may reach the browser; null when it cannot be framed (the session
   * ends). A console whose policy needs no scan frames only the stream's start, to stop a desktop that
   * does not speak RFB after ServerInit, then relays the rest as it comes.
   */
  private Buffer desktopMessages(Buffer data) {
    ServerMessages framer = desktop.desktop();
    if (!target.policy().scansDesktop() && (framer.gaveUp() || framer.framed() >= CHECKED_START_BYTES)) {
      // framing done: from the next read on, the plain relay (this chunk still goes the framed way)
      if (owner.nettyPump()) {
        desktopToBrowser = new NettyDownstream((NetSocketInternal) vnc, vncChannel, browserChannel,
            this::browserOpen, this::sentToBrowser);
      } else {
        ((Relay) desktopToBrowser).filter(recording == null ? UnaryOperator.identity() : passing -> {
          record(passing);
          return passing;
        });
      }
      record(data);
      return data;
    }
    byte[] bytes = data.getBytes();
    Buffer passing = Buffer.buffer(bytes.length);
    if (!framer.feed(bytes, 0, bytes.length, passing::appendBytes)) {
      log.info("console s={} desktop broke the RFB protocol: {}", id, framer.failure());
      end(CloseReason.DESKTOP_PROTOCOL_ERROR);
      return null;
    }
    if (!firstFrameSeen && framer.framebufferUpdates() > 0) {
      firstFrameSeen = true;
      owner.metrics().consoleOpenStep("first_frame", System.nanoTime() - requestedAt);
    }
    record(passing);
    return passing;
  }

  /** What of the browser's bytes may reach the desktop (Netty pump); null when nothing more may. */
  private ByteBuf browserMessages(ByteBuf content) {
    if (ended) {
      return null;
    }
    int n = content.readableBytes();
    fromBrowser(n);
    byte[] passing = browserMessages(ByteBufUtil.getBytes(content, content.readerIndex(), n, false), 0, n);
    return passing == null ? null : Unpooled.wrappedBuffer(passing);
  }

  /** What of the browser's bytes may reach the desktop; null when they break the protocol (the session ends). */
  private byte[] browserMessages(byte[] bytes, int offset, int length) {
    ByteArrayOutputStream passing = new ByteArrayOutputStream(length);
    if (!browserMessages.feed(bytes, offset, length, passing)) {
      log.info("console s={} browser sent a message Deskgate refuses: {}", id, browserMessages.failure());
      end(CloseReason.BROWSER_RFB_ERROR);
      return null;
    }
    return passing.toByteArray();
  }

  private boolean browserOpen() {
    return !ended && !ws.isClosed();
  }

  /** What the browser is sent, into the recording (if the console is recorded). */
  private void record(Buffer data) {
    if (recording != null) {
      recording.recording().desktop(((BufferInternal) data).getByteBuf());
    }
  }

  /** A buffer the desktop-to-browser pump sends as it is. */
  private void sentToBrowser(ByteBuf data) {
    if (recording != null) {
      recording.recording().desktop(data);
    }
    sentToBrowser(data.readableBytes());
  }

  private void sentToBrowser(int n) {
    toBrowser += n;
    lastActivity = System.nanoTime();
    owner.metrics().relayedToBrowser(n);
  }

  /** The event loops of the browser's and the desktop's connection: one and the same, by design. */
  List<EventLoop> loops() {
    return List.of(browserChannel.eventLoop(), vncChannel.eventLoop());
  }

  /** This session as the cluster's session list records it. */
  Sessions.Live live() {
    return new Sessions.Live(owner.publicId(id), owner.nodeId(), target.projectId(), target.desktopId(),
        target.userId(), openedAtMillis, client, userAgent, target.policy().mode());
  }

  long idleNanos(long now) {
    return now - lastActivity;
  }

  /** Ends the session, as {@link #end(CloseReason)}, recording who ended it through the API. */
  void end(CloseReason reason, String by) {
    endedBy = by;
    end(reason);
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
    // What the browser sent last reaches the desktop before its connection closes. A desktop that takes
    // no more is cut off after the time limit, and at once when the node stops.
    owner.closeWhenSent(vncChannel, browserToDesktop == null || reason == CloseReason.SHUTDOWN
        ? Future.succeededFuture() : browserToDesktop.flushed(), FLUSH_LIMIT_MS);
    if (recording != null) {
      recording.recording().end(reason.label());
    }
    owner.ended(this, reason, new Sessions.Ended(System.currentTimeMillis(), toBrowser, toDesktop, reason.label(),
        endedBy));
    log.info("console s={} desktop={} ended: {} after {} s, {} bytes to browser, {} bytes to desktop", id,
        target.desktopId(), reason.text(), String.format("%.1f", (System.nanoTime() - openedAt) / 1e9),
        toBrowser, toDesktop);
  }
}
