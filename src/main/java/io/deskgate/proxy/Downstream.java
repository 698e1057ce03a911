package io.deskgate.proxy;

import io.vertx.core.Future;

/**
 * The desktop-to-browser half of a console's relay, whichever way it is built ({@link Relay} through
 * Vert.x's streams, {@link NettyDownstream} on the channels underneath; {@code console.pump}).
 */
interface Downstream {

  /**
   * Completes once everything relayed so far has left for the browser's socket: a console that ends
   * is closed after that, not before, since closing a connection discards what it has not yet sent.
   */
  Future<Void> flushed();
}
