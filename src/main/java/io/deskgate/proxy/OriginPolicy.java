package io.deskgate.proxy;

import java.net.URI;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which page origins may open console WebSockets: the origin of the public URL (where our console page
 * is served) plus {@code console.allowed_origins}; {@code "*"} allows any. Browsers always send
 * {@code Origin} on a WebSocket upgrade, so a foreign page cannot ride a user's console link; clients
 * that are not browsers send none and are let through (they still need a token).
 */
public final class OriginPolicy {

  private final Set<String> allowed = new HashSet<>();
  private final boolean any;

  public OriginPolicy(String publicUrl, List<String> allowedOrigins) {
    allowed.add(normalize(publicUrl));
    boolean wildcard = false;
    for (String origin : allowedOrigins) {
      if (origin.equals("*")) {
        wildcard = true;
      } else {
        allowed.add(normalize(origin));
      }
    }
    this.any = wildcard;
  }

  public boolean allows(String origin) {
    if (origin == null) {
      return true;
    }
    if (any) {
      return true;
    }
    String normalized = normalize(origin);
    return normalized != null && allowed.contains(normalized);
  }

  /** {@code scheme://host[:port]}, lower case, default ports dropped; null when unparsable. */
  static String normalize(String url) {
    try {
      URI u = URI.create(url.trim());
      if (u.getScheme() == null || u.getHost() == null) {
        return null;
      }
      String scheme = u.getScheme().toLowerCase(Locale.ROOT);
      int port = u.getPort();
      boolean defaultPort = port == -1 || (scheme.equals("http") && port == 80) || (scheme.equals("https") && port == 443);
      return scheme + "://" + u.getHost().toLowerCase(Locale.ROOT) + (defaultPort ? "" : ":" + port);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
