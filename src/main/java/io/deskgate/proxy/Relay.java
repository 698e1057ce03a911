package io.deskgate.proxy;

import io.netty.channel.Channel;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.streams.WriteStream;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import java.util.function.UnaryOperator;

/**
 * Copies bytes from one stream to another with back-pressure: when the destination's write queue is
 * full the source stops being read until the destination drains, so a slow reader on one side holds at
 * most one write queue of data in the proxy, never an unbounded backlog. WebSocket messages arrive
 * whole and leave as binary frames; TCP chunks are forwarded as they come, without copying. Data that
 * arrives once the destination has closed (a close frame crossed it) is dropped: the session is ending.
 * {@code reading} switches reading from the source off and on ({@link #paused} for a Vert.x stream,
 * {@link #autoRead} for a Netty channel).
 */
final class Relay implements Pump {

  private final WriteStream<Buffer> to;
  private final Consumer<Boolean> reading;
  private final BooleanSupplier destinationOpen;
  private final IntConsumer onBytes;
  private UnaryOperator<Buffer> filter = UnaryOperator.identity();
  private Future<Void> lastWrite = Future.succeededFuture();

  Relay(ReadStream<Buffer> from, WriteStream<Buffer> to, Consumer<Boolean> reading, BooleanSupplier destinationOpen,
        IntConsumer onBytes) {
    this.to = to;
    this.reading = reading;
    this.destinationOpen = destinationOpen;
    this.onBytes = onBytes;
    from.handler(this::pass);
  }

  /**
   * Passes what is read through {@code filter} first: it returns what may go on (possibly nothing), or
   * null when nothing more may (the session is ending).
   */
  void filter(UnaryOperator<Buffer> filter) {
    this.filter = filter;
  }

  /** Relays {@code data} as if it had been read from the source. */
  void pass(Buffer data) {
    if (!destinationOpen.getAsBoolean()) {
      return;
    }
    onBytes.accept(data.length());
    Buffer passing = filter.apply(data);
    if (passing == null || passing.length() == 0) {
      return;
    }
    lastWrite = to.write(passing);
    if (to.writeQueueFull()) {
      reading.accept(false);
      to.drainHandler(done -> reading.accept(true));
    }
  }

  /** Reading switched by pausing and resuming a Vert.x stream. */
  static Consumer<Boolean> paused(ReadStream<Buffer> stream) {
    return on -> {
      if (on) {
        stream.resume();
      } else {
        stream.pause();
      }
    };
  }

  /**
   * Reading switched on the Netty channel underneath. For a desktop's socket this is the only way that
   * keeps its end behind its data: Vert.x 5 keeps what a paused socket reads in a queue of its own and
   * reports the socket's end ahead of it, so the last bytes a desktop sent before closing would be lost.
   */
  static Consumer<Boolean> autoRead(Channel channel) {
    return on -> channel.config().setAutoRead(on);
  }

  @Override
  public Future<Void> flushed() {
    return lastWrite;
  }
}
