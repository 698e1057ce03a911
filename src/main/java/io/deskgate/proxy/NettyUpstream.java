package io.deskgate.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.vertx.core.Future;
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
  private final FlushedWrites writes;

  private NettyUpstream(Channel browser, Channel desktop, Function<ByteBuf, ByteBuf> filter) {
    this.desktop = desktop;
    this.writes = new FlushedWrites(desktop, browser, NAME);
    this.filter = filter;
  }

  /** Starts relaying the browser's frames that follow; {@code filter} owns nothing it is given. */
  static NettyUpstream install(Channel browser, Channel desktop, Function<ByteBuf, ByteBuf> filter) {
    NettyUpstream upstream = new NettyUpstream(browser, desktop, filter);
    browser.pipeline().addBefore("handler", NAME, upstream);
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
      pass(passing);
    }
  }

  /** Writes what passed the filter; the browser stops being read while the desktop cannot take more. */
  void pass(ByteBuf passing) {
    if (!passing.isReadable() || !desktop.isActive()) {
      passing.release();
      return;
    }
    writes.write(passing);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    writes.flush();
    ctx.fireChannelReadComplete();
  }

  @Override
  public Future<Void> flushed() {
    return writes.flushed();
  }

}
