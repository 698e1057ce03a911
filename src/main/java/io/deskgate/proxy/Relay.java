package io.deskgate.proxy;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.streams.WriteStream;
import java.util.function.BooleanSupplier;
import java.util.function.IntConsumer;

/**
 * Copies bytes from one stream to another with back-pressure: when the destination's write queue is
 * full the source is paused until the destination drains, so a slow reader on one side holds at most
 * one write queue of data in the proxy, never an unbounded backlog. WebSocket messages arrive whole
 * and leave as binary frames; TCP chunks are forwarded as they come, without copying. Data that
 * arrives once the destination has closed (a close frame crossed it) is dropped: the session is ending.
 */
final class Relay {

  private Future<Void> lastWrite = Future.succeededFuture();

  Relay(ReadStream<Buffer> from, WriteStream<Buffer> to, BooleanSupplier destinationOpen, IntConsumer onBytes) {
    from.handler(data -> {
      if (!destinationOpen.getAsBoolean()) {
        return;
      }
      onBytes.accept(data.length());
      lastWrite = to.write(data);
      if (to.writeQueueFull()) {
        from.pause();
        to.drainHandler(done -> from.resume());
      }
    });
  }

  /**
   * Completes once everything relayed so far has left for the destination's socket: a side that ends
   * is closed after that, not before, since closing a connection discards what it has not yet sent.
   */
  Future<Void> flushed() {
    return lastWrite;
  }
}
