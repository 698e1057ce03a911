package io.deskgate.proxy;

import io.deskgate.rfb.ClientHandshake;
import io.deskgate.rfb.ClientMessages;
import io.deskgate.rfb.ServerMessages;
import io.deskgate.rfb.DesktopTls;
import io.deskgate.rfb.ServerInit;
import io.netty.channel.Channel;
import io.netty.handler.ssl.SslHandler;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetSocket;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;

/**
 * Runs Deskgate's RFB client handshake ({@link ClientHandshake}) on a desktop's fresh connection, under
 * one deadline from connect to ServerInit, starting TLS inside the connection when VeNCrypt asks (a
 * Netty {@link SslHandler} at the head of its pipeline). On success what the desktop sends after
 * ServerInit is framed and held in {@link Ready#early} (up to {@link #EARLY_BYTES}; then its socket is
 * no longer read) until the browser's side is ready to take it; on failure the socket is closed and the future fails with a
 * {@link ConsoleRefusal} whose reason the page can explain.
 */
final class DesktopHandshake {

  /**
   * What the desktop may send after ServerInit before the browser is ready: past this, the desktop's
   * socket is no longer read (it is read meanwhile, so that garbage is found at once, not once the
   * browser is in).
   */
  static final int EARLY_BYTES = 64 * 1024;

  /**
   * The desktop is ready: its ServerInit; what it sent after it while the browser was not yet ready
   * (framed, and with cut text dropped when policy says so); the parsers of both directions, which the
   * session goes on with; and a future that completes, with the reason, if what the desktop sends
   * meanwhile cannot be framed.
   */
  record Ready(ServerInit init, Buffer early, ClientMessages browser, ServerMessages desktop, String security,
               Future<String> earlyFailure) {}

  private final Vertx vertx;
  private final NetSocket socket;
  private final Channel channel;
  private final TokenLookup.Target target;
  private final ClientHandshake handshake;
  private final Promise<Ready> done = Promise.promise();
  private final Buffer early = Buffer.buffer();
  private final int maxClipboardBytes;
  private final Promise<String> earlyFailure = Promise.promise();
  private Buffer heldDuringTls;
  private ServerMessages desktopStream;
  private long timer;

  private DesktopHandshake(Vertx vertx, NetSocket socket, TokenLookup.Target target, int maxClipboardBytes) {
    this.vertx = vertx;
    this.maxClipboardBytes = maxClipboardBytes;
    this.socket = socket;
    this.channel = ((NetSocketInternal) socket).channelHandlerContext().channel();
    this.target = target;
    this.handshake = new ClientHandshake(target.security());
  }

  static Future<Ready> run(Vertx vertx, NetSocket socket, TokenLookup.Target target, long timeoutMs,
                           int maxClipboardBytes) {
    DesktopHandshake h = new DesktopHandshake(vertx, socket, target, maxClipboardBytes);
    h.start(timeoutMs);
    return h.done.future();
  }

  private void start(long timeoutMs) {
    timer = vertx.setTimer(timeoutMs, t -> fail(CloseReason.DESKTOP_SILENT,
        "no complete RFB handshake within " + timeoutMs + " ms"));
    socket.handler(this::received);
    socket.endHandler(v -> fail(CloseReason.DESKTOP_UNREACHABLE, "the desktop closed the connection during the "
        + "RFB handshake"));
    socket.exceptionHandler(e -> fail(tlsReason(e), "connection error during the RFB handshake: " + e));
  }

  private void received(Buffer data) {
    if (done.future().isComplete()) {
      if (!earlyFailure.future().isComplete()) {
        byte[] bytes = data.getBytes();
        frameEarly(bytes, 0, bytes.length);
      }
      if (early.length() >= EARLY_BYTES) {
        channel.config().setAutoRead(false);
      }
      return;
    }
    if (heldDuringTls != null) {
      heldDuringTls.appendBuffer(data);
      return;
    }
    byte[] bytes = data.getBytes();
    feed(bytes, 0, bytes.length);
  }

  private void feed(byte[] bytes, int offset, int length) {
    ClientHandshake.Step step = handshake.feed(bytes, offset, length);
    if (step.reply().length > 0) {
      socket.write(Buffer.buffer(step.reply()));
    }
    switch (handshake.outcome()) {
      case START_TLS -> {
        if (step.consumed() < length) {
          handshake.feed(bytes, offset + step.consumed(), length - step.consumed());
          failed();
        } else {
          startTls();
        }
      }
      case READY -> {
        vertx.cancelTimer(timer);
        ServerInit init = handshake.serverInit();
        ClientMessages browser = new ClientMessages(target.policy().browserPolicy(), init.pixelFormat(),
            maxClipboardBytes);
        desktopStream = new ServerMessages(browser, target.policy().clipboard().fromDesktop(), maxClipboardBytes,
            target.policy().scansDesktop());
        // what came with ServerInit must already be RFB: garbage here refuses the browser before it is accepted
        if (!frameEarly(bytes, offset + step.consumed(), length - step.consumed())) {
          fail(CloseReason.DESKTOP_PROTOCOL_ERROR, "after ServerInit: " + desktopStream.failure());
          return;
        }
        done.tryComplete(new Ready(init, early, browser, desktopStream, handshake.detail(), earlyFailure.future()));
      }
      case FAILED -> failed();
      default -> {
      }
    }
  }

  /** Frames what the desktop sends before the browser is ready, keeping what may reach it; false on a violation. */
  private boolean frameEarly(byte[] bytes, int offset, int length) {
    if (!desktopStream.feed(bytes, offset, length, early::appendBytes)) {
      earlyFailure.tryComplete(desktopStream.failure());
      return false;
    }
    return true;
  }

  private void startTls() {
    heldDuringTls = Buffer.buffer();
    SSLEngine engine;
    try {
      engine = handshake.anonymousTls() ? target.tls().anonymousEngine(target.host(), target.port())
          : target.tls().engine(target.host(), target.port());
    } catch (SSLException | RuntimeException e) {
      fail(CloseReason.DESKTOP_TLS_FAILED, e.getMessage());
      return;
    }
    SslHandler ssl = new SslHandler(engine);
    channel.pipeline().addFirst("ssl", ssl);
    // Completed on the channel's event loop before TLS passes on any data that follows the handshake.
    ssl.handshakeFuture().addListener(f -> {
      if (!f.isSuccess()) {
        fail(tlsReason(f.cause()), "TLS: " + f.cause().getMessage());
        return;
      }
      byte[] reply = handshake.tlsEstablished();
      if (reply.length > 0) {
        socket.write(Buffer.buffer(reply));
      }
      Buffer held = heldDuringTls;
      heldDuringTls = null;
      if (held.length() > 0) {
        byte[] bytes = held.getBytes();
        feed(bytes, 0, bytes.length);
      }
    });
  }

  private void failed() {
    CloseReason reason = switch (handshake.failure()) {
      case NOT_RFB -> CloseReason.DESKTOP_NOT_VNC;
      case CONNECTION_REFUSED -> CloseReason.DESKTOP_REFUSED;
      case CREDENTIALS_REFUSED -> CloseReason.DESKTOP_CREDENTIALS_REFUSED;
      case NO_COMMON_SECURITY -> CloseReason.DESKTOP_NO_COMMON_SECURITY;
    };
    fail(reason, handshake.detail());
  }

  private static CloseReason tlsReason(Throwable e) {
    return switch (DesktopTls.fault(e)) {
      case UNTRUSTED -> CloseReason.DESKTOP_CERTIFICATE_UNTRUSTED;
      case MISMATCH -> CloseReason.DESKTOP_CERTIFICATE_MISMATCH;
      case OTHER -> e instanceof SSLException || e.getCause() instanceof SSLException
          ? CloseReason.DESKTOP_TLS_FAILED : CloseReason.DESKTOP_UNREACHABLE;
    };
  }

  private void fail(CloseReason reason, String detail) {
    if (done.tryFail(new ConsoleRefusal(reason, target.host() + ":" + target.port() + ": " + detail))) {
      vertx.cancelTimer(timer);
      socket.close();
    }
  }
}
