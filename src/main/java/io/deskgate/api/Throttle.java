package io.deskgate.api;

import io.deskgate.config.Config;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * A request rate limit per key (a token bucket each): the user for authenticated calls, the client
 * address and the user name for logins, the client address for console-link redemptions. Over the
 * limit a call answers 429 {@code APIGW.0308}. Limits are per node.
 * Memory is bounded: idle buckets (already full again) are dropped when the table grows.
 */
public final class Throttle {

  private static final int MAX_KEYS = 100_000;

  private final double perNano;
  private final double burst;
  private final LongSupplier nanoClock;
  private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

  public Throttle(Config.RateLimit limit) {
    this(limit, System::nanoTime);
  }

  public Throttle(Config.RateLimit limit, LongSupplier nanoClock) {
    this.perNano = limit.requestsPerSecond() / 1e9;
    this.burst = Math.max(limit.burst(), limit.requestsPerSecond());
    this.nanoClock = nanoClock;
  }

  /** Throws 429 when {@code key} has used up its allowance. */
  public void check(String key) {
    if (!allows(key)) {
      throw ApiException.throttled();
    }
  }

  /** Takes one from {@code key}'s allowance; false when there is none left. */
  public boolean allows(String key) {
    if (perNano == 0) {
      return true;
    }
    long now = nanoClock.getAsLong();
    if (buckets.size() >= MAX_KEYS) {
      buckets.values().removeIf(b -> b.isFull(now));
    }
    return buckets.computeIfAbsent(key, k -> new Bucket(burst, now)).take(now);
  }

  private final class Bucket {
    private double tokens;
    private long last;

    Bucket(double tokens, long now) {
      this.tokens = tokens;
      this.last = now;
    }

    synchronized boolean take(long now) {
      refill(now);
      if (tokens < 1) {
        return false;
      }
      tokens -= 1;
      return true;
    }

    synchronized boolean isFull(long now) {
      refill(now);
      return tokens >= burst;
    }

    private void refill(long now) {
      tokens = Math.min(burst, tokens + (now - last) * perNano);
      last = now;
    }
  }
}
