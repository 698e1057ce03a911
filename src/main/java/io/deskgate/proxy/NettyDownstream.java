package io.deskgate.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.internal.net.NetSocketInternal;
import java.util.function.BooleanSupplier;
import java.util.function.IntConsumer;

/**
 * The desktop-to-browser relay on the channels underneath Vert.x: each pooled buffer the desktop's
 * socket reads leaves as one binary WebSocket frame around that same buffer (no copy into the heap, no
 * copy into the frame), written to the browser's channel and flushed once per read burst. While the
 * browser's channel is not writable the desktop's socket is not read (a handler in the browser's
 * pipeline resumes it when the channel drains). Vert.x keeps everything else:
 * the upgrade, the close handshake, the end of the desktop's stream (delivered after its data).
 */
final class NettyDownstream implements Pump {

  static final String NAME = "deskgate-downstream";

  private final Channel browser;
  private final Channel desktop;
  private final BooleanSupplier browserOpen;
  private final IntConsumer onBytes;
  private ChannelFuture lastWrite;
  private boolean unflushed;

  NettyDownstream(NetSocketInternal vnc, Channel desktop, Channel browser, BooleanSupplier browserOpen,
                  IntConsumer onBytes) {
    this.browser = browser;
    this.desktop = desktop;
    this.browserOpen = browserOpen;
    this.onBytes = onBytes;
    vnc.messageHandler(this::read);
    vnc.readCompletionHandler(v -> flush());
    // Vert.x's drain handler follows Vert.x's own write queue, which these writes bypass: watch the channel
    browser.pipeline().addBefore("handler", NAME, new ChannelInboundHandlerAdapter() {
      @Override
      public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
          desktop.config().setAutoRead(true);
        }
        ctx.fireChannelWritabilityChanged();
      }
    });
  }

  private void read(Object message) {
    if (!(message instanceof ByteBuf data) || !browserOpen.getAsBoolean()) {
      ReferenceCountUtil.release(message);
      return;
    }
    onBytes.accept(data.readableBytes());
    lastWrite = browser.write(new BinaryWebSocketFrame(data));
    unflushed = true;
    if (!browser.isWritable()) {
      // off before the flush: a flush that drains the channel at once reports it writable again, inside
      desktop.config().setAutoRead(false);
      flush();
    }
  }

  private void flush() {
    if (unflushed) {
      unflushed = false;
      browser.flush();
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
