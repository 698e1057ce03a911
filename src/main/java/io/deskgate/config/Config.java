package io.deskgate.config;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * Deskgate's whole configuration: one YAML file plus environment overrides (see {@link ConfigLoader}
 * and docs/configuration.md). Keys are snake_case in the file; every record here has defaults in
 * {@link #defaults()}.
 */
public record Config(Node node, Cluster cluster, Http http, Store store, Secrets secrets, Console console,
                     Recording recording, Auth auth, Api api, Providers providers, Log log, Metrics metrics,
                     Audit audit, Inventory inventory) {

  /** This node's name among several sharing one store; default: the host name. */
  public record Node(String name) {}

  /**
   * Several nodes on one store: a node whose heartbeat is older than {@code nodeTimeoutSeconds} is lost;
   * jobs are looked for every {@code jobPollSeconds} besides being announced.
   */
  public record Cluster(int nodeTimeoutSeconds, int jobPollSeconds) {}

  /** How long the history of ended consoles is kept. */
  public record Audit(int retentionDays) {}

  /**
   * {@code GET /metrics}: open to whoever reaches it, or only with {@code Authorization: Bearer <token>};
   * on the node's HTTP port, or only on {@code listen} ({@code host:port}) when set.
   */
  public record Metrics(String token, String listen) {
    public boolean apart() {
      return listen != null && !listen.isBlank();
    }

    /** The host of {@code listen}, without the brackets of an IPv6 literal. */
    public String listenHost() {
      String host = listen.substring(0, listen.lastIndexOf(':'));
      return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    public int listenPort() {
      return Integer.parseInt(listen.substring(listen.lastIndexOf(':') + 1));
    }
  }

  public record Http(String host, int port, String publicUrl, int idleTimeoutSeconds, int eventLoops,
                     String transport, int headerTimeoutSeconds, int bodyTimeoutSeconds, boolean h2c,
                     List<String> trustedProxies, Tls tls) {

    /** How many event loops serve HTTP and consoles: {@code event_loops}, or two per core when it is 0. */
    public int eventLoopCount() {
      return eventLoops > 0 ? eventLoops : 2 * Runtime.getRuntime().availableProcessors();
    }
  }

  /** HTTPS and WSS: a PEM certificate and key, or a self-signed pair generated into those files once. */
  public record Tls(String certFile, String keyFile, boolean selfSigned, String engine) {
    @JsonIgnore
    public boolean enabled() {
      return selfSigned || certFile != null;
    }
  }

  public record Store(String jdbcUrl, String username, String password, int poolSize,
                      int connectionTimeoutMs, int queueLimit) {}

  public record Secrets(String key, String keyFile) {}

  public record Console(int tokenTtlSeconds, List<String> allowedOrigins, int connectTimeoutSeconds,
                        int handshakeTimeoutSeconds, int idleTimeoutSeconds, int drainGraceSeconds,
                        List<String> frameAncestors, RateLimit redeemLimit, int redeemBackoffMaxSeconds,
                        boolean websocketCompression, int maxMessageBytes, int pingLimit, String clipboard,
                        String viewers, int maxClipboardBytes, String pump, String recording,
                        boolean recordingKeys) {}

  /**
   * Console recordings (docs/recording.md): where they are written, by how many threads, and for how
   * many days they are kept. {@code storage}: local (files under {@code dir}) or s3 (objects
   * in {@code s3}'s bucket, written under {@code dir} first); {@code replayLinkTtlSeconds}: how long a
   * one-time replay link stays good.
   */
  public record Recording(String dir, int writerThreads, int retentionDays, int replayLinkTtlSeconds, String storage,
                          S3 s3) {}

  /**
   * S3-compatible object storage for recordings. Empty {@code endpoint}: AWS's own for the region; empty
   * keys: the AWS SDK's default credentials (environment, profile, instance role).
   */
  public record S3(String endpoint, String region, String bucket, String prefix, String accessKey, String secretKey,
                   boolean pathStyle) {}

  public record Auth(int tokenTtlSeconds, int passwordHashIterations, AkskLockout akskLockout,
                     int tokenCacheSeconds, int hashThreads, int hashQueueLimit, RateLimit loginPerAddress,
                     RateLimit loginPerUser) {

    /** Threads that verify passwords: {@code hash_threads}, or one per core when it is 0. */
    public int hashThreadCount() {
      return hashThreads > 0 ? hashThreads : Runtime.getRuntime().availableProcessors();
    }
  }

  public record AkskLockout(int maxFailures, int windowSeconds, int lockSeconds) {}

  public record Api(RateLimit rateLimit, int maxBodyBytes) {}

  public record RateLimit(int requestsPerSecond, int burst) {}

  /**
   * {@code format}: text (one line per event) or json (one JSON object per line); {@code stackTraces}: an
   * exception's whole stack trace instead of one line naming it and its causes.
   */
  public record Log(String level, String format, boolean stackTraces) {}

  /** Where desktops come from (docs/providers.md). */
  public record Providers(@JsonProperty("static") StaticProvider staticEndpoints, Xvnc xvnc, Libvirt libvirt,
                          int operationThreads, int operationQueueLimit) {}

  /** Desktops that already run a VNC server somewhere; probed for reachability. */
  public record StaticProvider(int probeIntervalSeconds, int probeTimeoutMs) {}

  /**
   * Linux desktops Deskgate runs on this host with TigerVNC. {@code security}: vnc (VNC Authentication)
   * or x509 (VeNCrypt X509Vnc, certificates from Deskgate's CA); {@code listenAddress}: the address their
   * VNC ports listen on, which the other nodes of the region connect to; {@code runAs}: the unprivileged
   * user their processes run as.
   */
  public record Xvnc(String runDir, String restart, int checkIntervalSeconds, Map<String, XvncProduct> products,
                     String security, String listenAddress, String displays, String ports, String runAs) {}

  public record XvncProduct(String geometry, int depth, String command) {}

  /** KVM/QEMU virtual machines managed through libvirt ({@code virsh}). */
  public record Libvirt(String uri, int shutdownTimeoutSeconds, int checkIntervalSeconds,
                        Map<String, LibvirtProduct> products) {}

  /** A domain XML template; {@code ${name}}, {@code ${uuid}} and {@code ${computer_name}} are filled in. */
  public record LibvirtProduct(String templateFile) {}

  public static Config defaults() {
    return new Config(
        new Node(null),
        new Cluster(30, 5),
        new Http("127.0.0.1", 8080, null, 60, 0, "nio", 10, 30, false, List.of(), new Tls(null, null, false, "auto")),
        new Store("jdbc:h2:file:./data/deskgate", null, null, 10, 5000, 1000),
        new Secrets(null, "./data/secret.key"),
        new Console(600, List.of(), 5, 10, 3600, 30, List.of(), new RateLimit(2, 10), 300, false, 1 << 20, 20,
            "both", "shared", 1 << 20, "netty", "off", false),
        new Recording("./data/recordings", 2, 90, 600, "local",
            new S3("", "us-east-1", "", "deskgate/", "", "", false)),
        new Auth(86400, 210_000, new AkskLockout(10, 60, 300), 5, 0, 32, new RateLimit(1, 10), new RateLimit(1, 5)),
        new Api(new RateLimit(100, 200), 1 << 20),
        new Providers(
            new StaticProvider(10, 2000),
            new Xvnc("./data/xvnc", "always", 2,
                Map.of("default", new XvncProduct("1280x800", 24, "xterm -geometry 100x30+40+40")), "vnc",
                "127.0.0.1", "20-999", "", "deskgate-desktop"),
            new Libvirt("qemu:///system", 60, 10, Map.of()), 8, 256),
        new Log("INFO", "text", false),
        new Metrics("", ""),
        new Audit(90),
        new Inventory(List.of()));
  }
}
