package io.deskgate.proxy;

import io.vertx.core.Future;

/**
 * One direction of a console's relay, whichever way it is built ({@link Relay} through Vert.x's
 * streams; {@link NettyDownstream} and {@link NettyUpstream} on the channels underneath; {@code console.pump}).
 */
interface Pump {

  /**
   * Completes once everything relayed so far has left for the destination's socket: a connection is
   * closed after that, not before, since closing a connection discards what it has not yet sent.
   */
  Future<Void> flushed();
}
