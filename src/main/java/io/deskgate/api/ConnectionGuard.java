package io.deskgate.api;

import io.deskgate.web.RequestLog;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.compression.ZlibCodecFactory;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketServerExtensionHandler;
import io.netty.handler.codec.http.websocketx.extensions.compression.PerMessageDeflateServerExtensionHandshaker;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.impl.VertxHttpRequestDecoder;
import io.vertx.core.net.impl.ConnectionBase;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * What Vert.x's HTTP/1 pipeline lacks, added to each connection as it opens (before its first request
 * is decoded): a request with both {@code Transfer-Encoding} and {@code Content-Length} is invalid (Netty
 * would drop the length and go on, the request-smuggling shape), and a request head must arrive whole
 * within {@code http.header_timeout_seconds} of its first byte (a drip of header bytes would otherwise
 * hold the connection for as long as each byte comes before the idle timeout). When WebSocket compression
 * is on, inflation stops at {@code console.max_message_bytes}.
 */
public final class ConnectionGuard {

  private static final String DECODER = "httpDecoder";
  private static final String EXTENSIONS = "webSocketExtensionHandler";

  private ConnectionGuard() {}

  /** Marks a request that carried both framings; answered 400 by {@link HttpFront#invalidRequest}. */
  static final class CodingConflict extends IllegalArgumentException {
    CodingConflict() {
      super("Transfer-Encoding together with Content-Length", null);
    }
  }

  /** A request line naming another protocol version (Vert.x would answer 501 with no body). */
  static final class UnsupportedVersion extends IllegalArgumentException {
    UnsupportedVersion() {
      super("not HTTP/1.1 or HTTP/1.0", null);
    }
  }

  /** For {@code HttpServer.connectionHandler}. */
  public static void install(HttpConnection connection, HttpServerOptions options, int headerTimeoutSeconds,
                             int maxMessageBytes) {
    if (!(connection instanceof ConnectionBase base)) {
      return;
    }
    ChannelPipeline pipeline = base.channel().pipeline();
    if (pipeline.get(DECODER) == null) {
      return;
    }
    if (pipeline.get(EXTENSIONS) != null) {
      // Vert.x's permessage-deflate inflates without a limit: one small frame could become gigabytes
      pipeline.replace(EXTENSIONS, EXTENSIONS, new WebSocketServerExtensionHandler(
          new PerMessageDeflateServerExtensionHandshaker(options.getWebSocketCompressionLevel(),
              ZlibCodecFactory.isSupportingWindowSizeAndMemLevel(), PerMessageDeflateServerExtensionHandshaker.MAX_WINDOW_SIZE,
              options.getWebSocketAllowServerNoContext(), options.getWebSocketPreferredClientNoContext(), maxMessageBytes)));
    }
    pipeline.replace(DECODER, DECODER, new StrictRequestDecoder(options));
    HeadDeadline deadline = new HeadDeadline(TimeUnit.SECONDS.toNanos(headerTimeoutSeconds));
    pipeline.addBefore(DECODER, "headDeadline", deadline);
    pipeline.addAfter(DECODER, "headSeen", deadline.seen);
  }

  static final class StrictRequestDecoder extends VertxHttpRequestDecoder {
    StrictRequestDecoder(HttpServerOptions options) {
      super(options);
    }

    @Override
    protected HttpMessage createMessage(String[] initialLine) {
      if (!initialLine[2].equals("HTTP/1.1") && !initialLine[2].equals("HTTP/1.0")) {
        throw new UnsupportedVersion();
      }
      return super.createMessage(initialLine);
    }

    @Override
    protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
      // thrown inside decode(): Netty turns it into an invalid request and discards the rest
      throw new CodingConflict();
    }
  }

  /** Starts at the first byte of a request head, stops when the decoder has the whole head. */
  static final class HeadDeadline extends ChannelInboundHandlerAdapter {
    private final long timeoutNanos;
    private final HeadSeen seen = new HeadSeen();
    private boolean awaitingHead = true;
    private ScheduledFuture<?> timer;

    HeadDeadline(long timeoutNanos) {
      this.timeoutNanos = timeoutNanos;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (awaitingHead && timer == null && msg instanceof ByteBuf buf && buf.isReadable()) {
        timer = ctx.executor().schedule(() -> expire(ctx), timeoutNanos, TimeUnit.NANOSECONDS);
      }
      ctx.fireChannelRead(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      cancel();
      ctx.fireChannelInactive();
    }

    private void cancel() {
      if (timer != null) {
        timer.cancel(false);
        timer = null;
      }
    }

    private void expire(ChannelHandlerContext ctx) {
      timer = null;
      if (!awaitingHead || !ctx.channel().isActive()) {
        return;
      }
      String id = RequestLog.newId();
      String body = ApiException.httpFault(408, "The request head did not arrive in time.").body(id).encode();
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      String head = "HTTP/1.1 408 Request Timeout\r\nContent-Type: application/json\r\nContent-Length: " + bytes.length
          + "\r\n" + RequestLog.REQUEST_ID + ": " + id + "\r\nConnection: close\r\n\r\n";
      ctx.channel().config().setAutoRead(false);
      ctx.writeAndFlush(Unpooled.wrappedBuffer(head.getBytes(StandardCharsets.US_ASCII), bytes))
          .addListener(ChannelFutureListener.CLOSE);
    }

    /** Sits after the decoder: sees heads complete, bodies end, and upgrades leave HTTP behind. */
    final class HeadSeen extends ChannelInboundHandlerAdapter {
      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest request) {
          awaitingHead = false;
          cancel();
          if (request.headers().containsValue(HttpHeaderNames.UPGRADE, "websocket", true)) {
            ctx.pipeline().remove(HeadDeadline.this);
            ctx.pipeline().remove(this);
          }
        }
        if (msg instanceof LastHttpContent) {
          awaitingHead = true;
        }
        ctx.fireChannelRead(msg);
      }
    }
  }
}
