package io.deskgate.proxy;

import io.deskgate.rfb.DesktopSecurity;
import io.deskgate.rfb.DesktopTls;
import io.vertx.core.Future;

/**
 * Pluggable token lookup, the proxy's only question to the rest of Deskgate: which VNC endpoint does
 * this one-time token open? The future fails with {@link ConsoleRefusal} when it opens none.
 */
public interface TokenLookup {

  /**
   * Where a redeemed token leads: the desktop's VNC endpoint, what passes its security ({@code tls}
   * prepared when VeNCrypt may be used, else null), the name the browser is shown, the console's
   * policy, and labels for logs.
   */
  record Target(String projectId, String desktopId, String userId, String host, int port, String computerName,
                DesktopSecurity security, DesktopTls tls, ConsolePolicy policy) {}

  /** Consumes the token (atomically: of two concurrent redemptions exactly one succeeds). */
  Future<Target> redeem(String token);

  /** Whether {@code candidate} has the shape of a token, so it can be told apart from other subprotocols. */
  boolean looksLikeToken(String candidate);
}
