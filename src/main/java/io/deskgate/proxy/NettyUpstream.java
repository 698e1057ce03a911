package io.deskgate.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.function.Function;

/**
 * The browser-to-desktop relay on the channels underneath Vert.x: the browser's data frames are taken
 * in its pipeline before Vert.x (after {@link BrowserGuard}), their content goes through {@code filter}
 * (the RFB parser and policy: what may reach the desktop, or null when nothing more may), and what
 * passes is written to the desktop's channel, flushed once per read burst. While the desktop's channel
 * is not writable the browser's is not read (a handler in the desktop's pipeline resumes it). Pings,
 * pongs and the close handshake go on to Vert.x.
 */
final class NettyUpstream extends ChannelInboundHandlerAdapter implements Pump {

  static final String NAME = "deskgate-upstream";

  private final Channel desktop;
  private final Function<ByteBuf, ByteBuf> filter;
  private ChannelFuture lastWrite;
  private boolean unflushed;

  private NettyUpstream(Channel desktop, Function<ByteBuf, ByteBuf> filter) {
    this.desktop = desktop;
    this.filter = filter;
  }

  /** Starts relaying the browser's frames that follow; {@code filter} owns nothing it is given. */
  static NettyUpstream install(Channel browser, Channel desktop, Function<ByteBuf, ByteBuf> filter) {
    NettyUpstream upstream = new NettyUpstream(desktop, filter);
    browser.pipeline().addBefore("handler", NAME, upstream);
    desktop.pipeline().addBefore("handler", NAME, new ChannelInboundHandlerAdapter() {
      @Override
      public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
          browser.config().setAutoRead(true);
        }
        ctx.fireChannelWritabilityChanged();
      }
    });
    return upstream;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof BinaryWebSocketFrame || msg instanceof ContinuationWebSocketFrame)) {
      ctx.fireChannelRead(msg);
      return;
    }
    ByteBuf passing;
    try {
      passing = filter.apply(((WebSocketFrame) msg).content());
    } finally {
      ((WebSocketFrame) msg).release();
    }
    if (passing != null) {
      pass(ctx.channel(), passing);
    }
  }

  /** Writes what passed the filter; the browser stops being read while the desktop cannot take more. */
  void pass(Channel browser, ByteBuf passing) {
    if (!passing.isReadable() || !desktop.isActive()) {
      passing.release();
      return;
    }
    lastWrite = desktop.write(passing);
    unflushed = true;
    if (!desktop.isWritable()) {
      browser.config().setAutoRead(false);
      flush();
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    flush();
    ctx.fireChannelReadComplete();
  }

  private void flush() {
    if (unflushed) {
      unflushed = false;
      desktop.flush();
    }
  }

  @Override
  public Future<Void> flushed() {
    flush();
    if (lastWrite == null) {
      return Future.succeededFuture();
    }
    Promise<Void> done = Promise.promise();
    lastWrite.addListener(f -> done.complete());
    return done.future();
  }
}
