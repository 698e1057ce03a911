package io.deskgate.proxy;

import io.vertx.core.Future;

/**
 * Pluggable token lookup, the proxy's only question to the rest of Deskgate: which VNC endpoint does
 * this one-time token open? The future fails with {@link ConsoleRefusal} when it opens none.
 */
public interface TokenLookup {

  /** Where a redeemed token leads, and labels for logs. */
  record Target(String desktopId, String userId, String host, int port) {}

  /** Consumes the token (atomically: of two concurrent redemptions exactly one succeeds). */
  Future<Target> redeem(String token);

  /** Whether {@code candidate} has the shape of a token, so it can be told apart from other subprotocols. */
  boolean looksLikeToken(String candidate);
}
