package io.deskgate.api;

import io.deskgate.config.Config;
import java.util.function.LongSupplier;

/**
 * Limits tries at a secret (console links) per client address, before the store is asked: a rate
 * ({@link Throttle}) and a back-off after refusals in a row ({@link RefusalBackoff}).
 */
public final class AttemptLimit {

  private final Throttle rate;
  private final RefusalBackoff backoff;
  private final boolean off;

  /** A rate of 0 requests per second turns the whole limit off, back-off included. */
  public AttemptLimit(Config.RateLimit rate, int backoffMaxSeconds, LongSupplier nanoClock) {
    this.rate = new Throttle(rate, nanoClock);
    this.backoff = new RefusalBackoff(backoffMaxSeconds, nanoClock);
    this.off = rate.requestsPerSecond() == 0;
  }

  /** False when the client must wait: over its rate, or backing off after refusals. */
  public boolean allows(String client) {
    return off || (backoff.allows(client) && rate.allows(client));
  }

  public void refused(String client) {
    if (!off) {
      backoff.refused(client);
    }
  }

  public void succeeded(String client) {
    if (!off) {
      backoff.succeeded(client);
    }
  }
}
