package io.deskgate.config;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.List;

/**
 * Deskgate's whole configuration: one YAML file plus environment overrides (see {@link ConfigLoader}
 * and docs/configuration.md). Keys are snake_case in the file; every record here has defaults in
 * {@link #defaults()}.
 */
public record Config(Http http, Store store, Secrets secrets, Console console, Auth auth, Api api,
                     Log log, Inventory inventory) {

  public record Http(String host, int port, String publicUrl, int idleTimeoutSeconds, Tls tls) {}

  /** HTTPS and WSS: a PEM certificate and key, or a self-signed pair generated into those files once. */
  public record Tls(String certFile, String keyFile, boolean selfSigned) {
    @JsonIgnore
    public boolean enabled() {
      return selfSigned || certFile != null;
    }
  }

  public record Store(String jdbcUrl, String username, String password, int poolSize,
                      int connectionTimeoutMs) {}

  public record Secrets(String key, String keyFile) {}

  public record Console(int tokenTtlSeconds, List<String> allowedOrigins, int connectTimeoutSeconds,
                        int handshakeTimeoutSeconds, int idleTimeoutSeconds) {}

  public record Auth(int tokenTtlSeconds, int passwordHashIterations, AkskLockout akskLockout) {}

  public record AkskLockout(int maxFailures, int windowSeconds, int lockSeconds) {}

  public record Api(RateLimit rateLimit, int maxBodyBytes) {}

  public record RateLimit(int requestsPerSecond, int burst) {}

  public record Log(String level) {}

  public static Config defaults() {
    return new Config(
        new Http("127.0.0.1", 8080, null, 60, new Tls(null, null, false)),
        new Store("jdbc:h2:file:./data/deskgate", null, null, 10, 5000),
        new Secrets(null, "./data/secret.key"),
        new Console(600, List.of(), 5, 10, 3600),
        new Auth(86400, 210_000, new AkskLockout(10, 60, 300)),
        new Api(new RateLimit(100, 200), 1 << 20),
        new Log("INFO"),
        new Inventory(List.of()));
  }

  /** The same configuration with another store; used by tests and tools. */
  public Config withStore(Store other) {
    return new Config(http, other, secrets, console, auth, api, log, inventory);
  }
}
