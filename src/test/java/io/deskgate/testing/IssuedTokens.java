package io.deskgate.testing;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Every console and IAM token the tests were handed, for the search of the run's logs at its end. */
public final class IssuedTokens {

  private static final Set<String> TOKENS = ConcurrentHashMap.newKeySet();

  private IssuedTokens() {}

  public static String remember(String token) {
    TOKENS.add(token);
    return token;
  }

  public static List<String> all() {
    return List.copyOf(TOKENS);
  }
}
