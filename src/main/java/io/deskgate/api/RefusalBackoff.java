package io.deskgate.api;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Slows down guessing: after {@link #FREE_FAILURES} refusals in a row for one key (a client address
 * trying console links), that key waits 1 s before its next try, then twice as long after each further
 * refusal, up to {@code maxSeconds}. A success clears the key. Memory is bounded like {@link Throttle}'s.
 */
public final class RefusalBackoff {

  static final int FREE_FAILURES = 5;
  private static final int MAX_KEYS = 100_000;
  private static final long SECOND = 1_000_000_000L;

  private final long maxNanos;
  private final LongSupplier nanoClock;
  private final ConcurrentHashMap<String, State> states = new ConcurrentHashMap<>();

  private record State(int failures, long blockedUntil) {}

  public RefusalBackoff(int maxSeconds, LongSupplier nanoClock) {
    this.maxNanos = maxSeconds * SECOND;
    this.nanoClock = nanoClock;
  }

  /** False while {@code key} must wait. */
  public boolean allows(String key) {
    State state = states.get(key);
    return state == null || nanoClock.getAsLong() - state.blockedUntil() >= 0;
  }

  public void refused(String key) {
    long now = nanoClock.getAsLong();
    if (states.size() >= MAX_KEYS) {
      states.values().removeIf(s -> now - s.blockedUntil() >= 0);
    }
    states.compute(key, (k, old) -> {
      int failures = old == null ? 1 : old.failures() + 1;
      if (failures <= FREE_FAILURES) {
        return new State(failures, now);
      }
      int doublings = Math.min(failures - FREE_FAILURES - 1, 30);
      long wait = Math.min(maxNanos, SECOND << doublings);
      return new State(failures, now + wait);
    });
  }

  public void succeeded(String key) {
    states.remove(key);
  }
}
