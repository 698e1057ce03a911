package io.deskgate.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.vertx.core.Future;
import io.vertx.core.Promise;

/**
 * Writes to one channel, flushed once per read burst rather than per write, with the last write kept
 * so that a close can wait for everything written before it: the writing half of both Netty pumps,
 * which stop reading their source while this channel is not writable.
 */
final class FlushedWrites {

  private final Channel to;
  private final Channel from;
  private ChannelFuture lastWrite;
  private boolean unflushed;

  /** {@code from} is read again whenever {@code to} becomes writable (a handler named {@code name} in its pipeline). */
  FlushedWrites(Channel to, Channel from, String name) {
    this.to = to;
    this.from = from;
    // Vert.x's drain handlers follow Vert.x's own write queues, which these writes bypass: watch the channel
    to.pipeline().addBefore("handler", name, new ChannelInboundHandlerAdapter() {
      @Override
      public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
          from.config().setAutoRead(true);
        }
        ctx.fireChannelWritabilityChanged();
      }
    });
  }

  /** Writes {@code message}; when {@code to} can take no more, {@code from} stops being read and what is written leaves. */
  void write(Object message) {
    lastWrite = to.write(message);
    unflushed = true;
    if (!to.isWritable()) {
      // off before the flush: a flush that drains the channel at once reports it writable again, inside
      from.config().setAutoRead(false);
      flush();
    }
  }

  void flush() {
    if (unflushed) {
      unflushed = false;
      to.flush();
    }
  }

  /** Flushes, and completes once everything written so far has left for the socket. */
  Future<Void> flushed() {
    flush();
    if (lastWrite == null) {
      return Future.succeededFuture();
    }
    Promise<Void> done = Promise.promise();
    lastWrite.addListener(f -> done.complete());
    return done.future();
  }
}
