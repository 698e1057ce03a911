package io.deskgate.auth;

import io.deskgate.config.Config;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Locks an access key for a while after repeated signature failures within a short window, so its
 * SK cannot be guessed online; other keys are not affected. Only keys that exist are tracked, so the
 * table stays as small as the set of real keys. Per node: on N nodes a key takes up to N times the
 * failures to lock everywhere.
 */
final class AccessKeyLockout {

  private final int maxFailures;
  private final long windowMillis;
  private final long lockMillis;
  private final Map<String, State> keys = new ConcurrentHashMap<>();

  private static final class State {
    long windowStart;
    int failures;
    long lockedUntil;
  }

  AccessKeyLockout(Config.AkskLockout config) {
    this.maxFailures = config.maxFailures();
    this.windowMillis = config.windowSeconds() * 1000L;
    this.lockMillis = config.lockSeconds() * 1000L;
  }

  boolean locked(String accessKey) {
    State s = keys.get(accessKey);
    if (s == null) {
      return false;
    }
    synchronized (s) {
      return System.currentTimeMillis() < s.lockedUntil;
    }
  }

  /** Counts a signature failure; true when it locks the key. */
  boolean failed(String accessKey) {
    if (maxFailures == 0) {
      return false;
    }
    long now = System.currentTimeMillis();
    State s = keys.computeIfAbsent(accessKey, k -> new State());
    synchronized (s) {
      if (now - s.windowStart > windowMillis) {
        s.windowStart = now;
        s.failures = 0;
      }
      if (++s.failures >= maxFailures) {
        s.lockedUntil = now + lockMillis;
        s.failures = 0;
        return true;
      }
      return false;
    }
  }

  void succeeded(String accessKey) {
    State s = keys.get(accessKey);
    if (s != null) {
      synchronized (s) {
        if (System.currentTimeMillis() >= s.lockedUntil) {
          keys.remove(accessKey);
        }
      }
    }
  }
}
