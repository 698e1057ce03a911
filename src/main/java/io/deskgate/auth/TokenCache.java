package io.deskgate.auth;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The callers of IAM tokens, remembered for a few seconds ({@code auth.token_cache_seconds}) so that a
 * busy client's calls do not each look its token up in the store. A revoked token is forgotten by every
 * node at once (cluster events); an expired one is never served from here. Bounded: past 100,000
 * entries the cache starts over.
 */
final class TokenCache {

  private static final int MAX_ENTRIES = 100_000;

  private record Entry(Caller caller, long tokenExpiresAt, long until) {}

  private final long ttlMillis;
  private final Map<String, Entry> entries = new ConcurrentHashMap<>();

  TokenCache(int ttlSeconds) {
    this.ttlMillis = ttlSeconds * 1000L;
  }

  Caller get(String tokenHash) {
    if (ttlMillis == 0) {
      return null;
    }
    Entry e = entries.get(tokenHash);
    long now = System.currentTimeMillis();
    if (e == null) {
      return null;
    }
    if (now >= e.until() || now >= e.tokenExpiresAt()) {
      entries.remove(tokenHash, e);
      return null;
    }
    return e.caller();
  }

  void put(String tokenHash, Caller caller, long tokenExpiresAt) {
    if (ttlMillis == 0) {
      return;
    }
    if (entries.size() >= MAX_ENTRIES) {
      entries.clear();
    }
    entries.put(tokenHash, new Entry(caller, tokenExpiresAt, System.currentTimeMillis() + ttlMillis));
  }

  void forget(String tokenHash) {
    entries.remove(tokenHash);
  }
}
