package io.deskgate.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.CodecException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Sits in a console's browser connection between Netty's WebSocket decoder and Vert.x, and holds what
 * Vert.x does not: it answers pings itself, only while the browser reads (a browser that never reads
 * is owed at most one pong, the latest) and closes a ping flood (1008); it closes text frames (1003),
 * fragmented messages over the limit and frames over the size limit or inflating past it (1009), and
 * protocol errors (1002). Vert.x would pong every ping into an unbounded queue, and on a decoder error
 * drop the connection with no close frame, so the browser could not tell why. After a fault nothing
 * more is passed on, the session closes with the fault's code, and the connection is dropped a second
 * later whatever the browser does.
 */
final class BrowserGuard extends ChannelDuplexHandler {

  static final String NAME = "deskgate-browser-guard";
  private static final long SECOND = 1_000_000_000L;
  private static final long DROP_AFTER_FAULT_MS = 1000;

  private final long maxMessageBytes;
  private final int pingsPerSecond;
  private final LongSupplier nanoClock;
  private final Consumer<CloseReason> onFault;
  private boolean faulted;
  private boolean inFragmentedMessage;
  private long fragmentedBytes;
  private long pingWindowStart;
  private int pingsInWindow;
  private ByteBuf owedPong;

  /** {@code pingsPerSecond}: 0 for no limit. */
  BrowserGuard(long maxMessageBytes, int pingsPerSecond, LongSupplier nanoClock, Consumer<CloseReason> onFault) {
    this.maxMessageBytes = maxMessageBytes;
    this.pingsPerSecond = pingsPerSecond;
    this.nanoClock = nanoClock;
    this.onFault = onFault;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (faulted) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof PingWebSocketFrame ping) {
      ping(ctx, ping);
      return;
    }
    if (msg instanceof TextWebSocketFrame) {
      ReferenceCountUtil.release(msg);
      fault(ctx, CloseReason.BROWSER_SENT_TEXT);
      return;
    }
    if (msg instanceof BinaryWebSocketFrame binary) {
      if (inFragmentedMessage) {
        ReferenceCountUtil.release(msg);
        fault(ctx, CloseReason.BROWSER_PROTOCOL_ERROR);
        return;
      }
      inFragmentedMessage = !binary.isFinalFragment();
      fragmentedBytes = binary.content().readableBytes();
    } else if (msg instanceof ContinuationWebSocketFrame continuation) {
      fragmentedBytes += continuation.content().readableBytes();
      if (!inFragmentedMessage) {
        ReferenceCountUtil.release(msg);
        fault(ctx, CloseReason.BROWSER_PROTOCOL_ERROR);
        return;
      }
      if (fragmentedBytes > maxMessageBytes) {
        ReferenceCountUtil.release(msg);
        fault(ctx, CloseReason.BROWSER_MESSAGE_TOO_BIG);
        return;
      }
      inFragmentedMessage = !continuation.isFinalFragment();
    }
    ctx.fireChannelRead(msg);
  }

  private void ping(ChannelHandlerContext ctx, PingWebSocketFrame ping) {
    long now = nanoClock.getAsLong();
    if (now - pingWindowStart >= SECOND) {
      pingWindowStart = now;
      pingsInWindow = 0;
    }
    if (pingsPerSecond > 0 && ++pingsInWindow > pingsPerSecond) {
      ping.release();
      fault(ctx, CloseReason.BROWSER_PING_FLOOD);
      return;
    }
    ByteBuf payload = ping.content().retain();
    ping.release();
    if (ctx.channel().isWritable()) {
      ctx.writeAndFlush(new PongWebSocketFrame(payload));
    } else {
      // the browser is not reading: it is owed one pong, for its latest ping, once it reads again
      if (owedPong != null) {
        owedPong.release();
      }
      owedPong = payload;
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (ctx.channel().isWritable() && owedPong != null && !faulted) {
      ByteBuf payload = owedPong;
      owedPong = null;
      ctx.writeAndFlush(new PongWebSocketFrame(payload));
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof CorruptedWebSocketFrameException corrupt) {
      WebSocketCloseStatus status = corrupt.closeStatus();
      fault(ctx, status != null && status.code() == WebSocketCloseStatus.MESSAGE_TOO_BIG.code()
          ? CloseReason.BROWSER_MESSAGE_TOO_BIG : CloseReason.BROWSER_PROTOCOL_ERROR);
    } else if (cause instanceof CodecException) {
      // the permessage-deflate inflater past its limit, or another decoding failure
      fault(ctx, cause.getMessage() != null && cause.getMessage().contains("maximum size")
          ? CloseReason.BROWSER_MESSAGE_TOO_BIG : CloseReason.BROWSER_PROTOCOL_ERROR);
    } else {
      ctx.fireExceptionCaught(cause);
    }
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    if (owedPong != null) {
      owedPong.release();
      owedPong = null;
    }
  }

  private void fault(ChannelHandlerContext ctx, CloseReason reason) {
    if (faulted) {
      return;
    }
    faulted = true;
    // from this handler, not the channel: Vert.x's handler after it would hold the close for its own
    // WebSocket closing handshake, which a hostile browser never completes
    ctx.executor().schedule(() -> {
      ctx.close();
    }, DROP_AFTER_FAULT_MS, TimeUnit.MILLISECONDS);
    onFault.accept(reason);
  }
}
