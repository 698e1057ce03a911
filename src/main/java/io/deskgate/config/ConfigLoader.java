package io.deskgate.config;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads the configuration: built-in defaults, overlaid by the YAML file (when there is one), overlaid
 * by environment variables. Every key {@code a.b_c} can be set as {@code DESKGATE_A_B_C}; lists take
 * comma-separated values; {@code DESKGATE_INVENTORY} takes the inventory as YAML text. A few short
 * aliases exist for the keys operators set most ({@link #ALIASES}).
 */
public final class ConfigLoader {

  public static final String ENV_PREFIX = "DESKGATE_";
  public static final String CONFIG_FILE_ENV = "DESKGATE_CONFIG";
  static final Map<String, String> ALIASES = Map.of(
      "DESKGATE_PUBLIC_URL", "http.public_url",
      "DESKGATE_DB_URL", "store.jdbc_url",
      "DESKGATE_DB_USER", "store.username",
      "DESKGATE_DB_PASSWORD", "store.password");

  /** The values of {@code console.clipboard} (here and for projects and desktops in the inventory). */
  public static final java.util.Set<String> CLIPBOARD = java.util.Set.of("both", "to_desktop", "from_desktop", "none");
  /** The values of {@code console.recording}. */
  public static final java.util.Set<String> RECORDING = java.util.Set.of("off", "on", "required");
  /** The values of {@code console.viewers}. */
  public static final java.util.Set<String> VIEWERS = java.util.Set.of("shared", "exclusive", "takeover");

  /** Keys whose whole value (a mapping or list) is one setting, given as YAML text in the environment. */
  static final java.util.Set<String> YAML_VALUED = java.util.Set.of(
      "inventory", "providers.xvnc.products", "providers.libvirt.products");

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
      .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

  private final List<String> warnings = new ArrayList<>();

  /** Where a value came from, for error messages. */
  private String source = "defaults";

  public static Config load(Path file, Map<String, String> env) {
    return new ConfigLoader().read(file, env);
  }

  /** Each settable key and the environment variable that overrides it, in file order. */
  public static Map<String, String> keys() {
    Map<String, String> keys = new LinkedHashMap<>();
    collectLeaves(YAML.valueToTree(Config.defaults()), "", keys);
    return keys;
  }

  public List<String> warnings() {
    return warnings;
  }

  public Config read(Path file, Map<String, String> env) {
    ObjectNode tree = YAML.valueToTree(Config.defaults());
    if (file != null) {
      source = file.toString();
      JsonNode fromFile = readFile(file);
      recordingSwitchesAsWords(fromFile);
      merge(tree, fromFile);
    }
    applyEnvironment(tree, env);
    Config config;
    try {
      config = YAML.treeToValue(tree, Config.class);
    } catch (UnrecognizedPropertyException e) {
      String key = path(e);
      String near = closestKey(key);
      throw new ConfigException("unknown key '" + key + "' in " + source
          + (near == null ? "" : " (did you mean '" + near + "'?)") + "; docs/configuration.md lists the keys");
    } catch (com.fasterxml.jackson.databind.exc.MismatchedInputException e) {
      throw wrongType(e, source);
    } catch (com.fasterxml.jackson.databind.JsonMappingException e) {
      throw new ConfigException("invalid value at '" + path(e) + "' in " + source + ": " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new ConfigException("cannot read the configuration from " + source + ": " + e.getMessage());
    }
    validate(config);
    return config;
  }

  private static JsonNode readFile(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new ConfigException("config file " + file + " does not exist");
    }
    try {
      JsonNode node = YAML.readTree(file.toFile());
      if (node == null || node.isMissingNode() || node.isNull()) {
        return JsonNodeFactory.instance.objectNode();
      }
      if (!node.isObject()) {
        throw new ConfigException("config file " + file + " must hold a YAML mapping at the top");
      }
      return node;
    } catch (IOException e) {
      throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
    }
  }

  /**
   * YAML reads an unquoted {@code on} or {@code off} as a boolean: {@code recording: on} (the config's,
   * a project's or a desktop's) means the word, as documented.
   */
  private static void recordingSwitchesAsWords(JsonNode node) {
    if (node instanceof ObjectNode obj) {
      JsonNode recording = obj.get("recording");
      if (recording != null && recording.isBoolean()) {
        obj.put("recording", recording.booleanValue() ? "on" : "off");
      }
    }
    node.elements().forEachRemaining(ConfigLoader::recordingSwitchesAsWords);
  }

  private static void merge(ObjectNode target, JsonNode overlay) {
    Iterator<Map.Entry<String, JsonNode>> fields = overlay.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      JsonNode existing = target.get(field.getKey());
      if (existing instanceof ObjectNode obj && field.getValue().isObject()) {
        merge(obj, field.getValue());
      } else {
        target.set(field.getKey(), field.getValue());
      }
    }
  }

  private void applyEnvironment(ObjectNode tree, Map<String, String> env) {
    Map<String, String> byEnv = new LinkedHashMap<>();
    keys().forEach((key, envName) -> byEnv.put(envName, key));
    byEnv.putAll(ALIASES);
    for (Map.Entry<String, String> e : env.entrySet()) {
      String name = e.getKey();
      if (!name.startsWith(ENV_PREFIX) || name.equals(CONFIG_FILE_ENV)) {
        continue;
      }
      String key = byEnv.get(name);
      if (key == null) {
        warnings.add("ignoring unknown environment variable " + name);
        continue;
      }
      source = "environment variable " + name;
      set(tree, key, e.getValue());
    }
    source = "configuration";
  }

  private static void set(ObjectNode tree, String key, String value) {
    String[] parts = key.split("\\.");
    ObjectNode node = tree;
    for (int i = 0; i < parts.length - 1; i++) {
      node = (ObjectNode) node.get(parts[i]);
    }
    String leaf = parts[parts.length - 1];
    JsonNode current = node.get(leaf);
    if (YAML_VALUED.contains(key)) {
      try {
        node.set(leaf, value.isBlank() ? JsonNodeFactory.instance.objectNode() : YAML.readTree(value));
      } catch (IOException e) {
        throw new ConfigException(envName(key) + " is not valid YAML: " + e.getMessage());
      }
    } else if (current instanceof ArrayNode) {
      ArrayNode list = JsonNodeFactory.instance.arrayNode();
      for (String item : value.split(",")) {
        if (!item.isBlank()) {
          list.add(item.trim());
        }
      }
      node.set(leaf, list);
    } else {
      node.set(leaf, value.isEmpty() ? JsonNodeFactory.instance.nullNode() : new TextNode(value));
    }
  }

  private static void collectLeaves(JsonNode node, String prefix, Map<String, String> out) {
    Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> f = fields.next();
      String key = prefix.isEmpty() ? f.getKey() : prefix + "." + f.getKey();
      if (f.getValue().isObject() && !YAML_VALUED.contains(key)) {
        collectLeaves(f.getValue(), key, out);
      } else {
        out.put(key, envName(key));
      }
    }
  }

  private static String envName(String key) {
    return ENV_PREFIX + key.replace('.', '_').toUpperCase(Locale.ROOT);
  }

  /**
   * {@code json}, read as the inventory reads {@code type} (snake_case keys, unknown keys refused): for
   * API bodies that take the same shapes. A body that does not fit throws a ConfigException naming the
   * key within {@code what} and what it must be.
   */
  public static <T> T bind(String json, Class<T> type, String what) {
    try {
      return YAML.convertValue(YAML.readTree(json), type);
    } catch (IllegalArgumentException e) {
      if (e.getCause() instanceof UnrecognizedPropertyException u) {
        throw new ConfigException("unknown key '" + path(u) + "' in " + what);
      }
      if (e.getCause() instanceof com.fasterxml.jackson.databind.exc.MismatchedInputException m) {
        throw wrongType(m, what);
      }
      throw new ConfigException(what + " is not valid: " + e.getMessage());
    } catch (IOException e) {
      throw new ConfigException(what + " is not valid JSON");
    }
  }

  /** {@code "FIRST-LAST"}, inclusive, within {@code min-max}; else a ConfigException naming {@code key}. */
  public static int[] range(String text, int min, int max, String key) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\s*(\\d{1,5})\\s*-\\s*(\\d{1,5})\\s*")
        .matcher(String.valueOf(text));
    if (!m.matches() || Integer.parseInt(m.group(1)) < min || Integer.parseInt(m.group(2)) > max
        || Integer.parseInt(m.group(1)) > Integer.parseInt(m.group(2))) {
      throw new ConfigException(key + " must be FIRST-LAST within " + min + "-" + max + ", got '" + text + "'");
    }
    return new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))};
  }

  /** A value of the wrong type (or none) at a key of {@code where}, said as a person would. */
  private static ConfigException wrongType(com.fasterxml.jackson.databind.exc.MismatchedInputException e,
                                           String where) {
    boolean missing = String.valueOf(e.getOriginalMessage()).contains("`null`");
    return new ConfigException("'" + path(e) + "' in " + where + " must be " + inWords(e.getTargetType())
        + (missing ? ", and is missing" : ""));
  }

  /** What a key's value must be, as a person says it. */
  static String inWords(Class<?> type) {
    if (type == null) {
      return "of another type (docs/configuration.md)";
    }
    if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
      return "a whole number";
    }
    if (type == boolean.class || type == Boolean.class) {
      return "true or false";
    }
    if (type == String.class) {
      return "text (a single value)";
    }
    if (java.util.Collection.class.isAssignableFrom(type)) {
      return "a list";
    }
    return "a mapping of keys to values";
  }

  /** The known key most like {@code unknown} (a typo of one or two letters, in the same section); else null. */
  static String closestKey(String unknown) {
    int dot = unknown.lastIndexOf('.');
    String section = dot < 0 ? "" : unknown.substring(0, dot + 1);
    String best = null;
    int bestDistance = 3;
    for (String key : keys().keySet()) {
      String candidate = key;
      if (!candidate.startsWith(section)) {
        continue;
      }
      int next = candidate.indexOf('.', section.length());
      if (next > 0) {
        candidate = candidate.substring(0, next);
      }
      int d = distance(unknown.substring(section.length()), candidate.substring(section.length()));
      if (d < bestDistance) {
        bestDistance = d;
        best = candidate;
      }
    }
    return best;
  }

  private static int distance(String a, String b) {
    int[] row = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      row[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      int diagonal = row[0];
      row[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int above = row[j];
        row[j] = Math.min(Math.min(row[j] + 1, row[j - 1] + 1), diagonal + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
        diagonal = above;
      }
    }
    return row[b.length()];
  }

  private static String path(com.fasterxml.jackson.databind.JsonMappingException e) {
    StringBuilder sb = new StringBuilder();
    for (var ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        if (sb.length() > 0) {
          sb.append('.');
        }
        sb.append(ref.getFieldName());
      } else {
        sb.append('[').append(ref.getIndex()).append(']');
      }
    }
    return sb.toString();
  }

  private static void validate(Config c) {
    range(c.providers().xvnc().displays(), 1, 9999, "providers.xvnc.displays");
    if (c.providers().xvnc().ports() != null && !c.providers().xvnc().ports().isBlank()) {
      range(c.providers().xvnc().ports(), 1, 65535, "providers.xvnc.ports");
    }
    require(java.util.Set.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF")
            .contains(String.valueOf(c.log().level()).toUpperCase(java.util.Locale.ROOT)),
        "log.level must be TRACE, DEBUG, INFO, WARN, ERROR or OFF, got '" + c.log().level() + "'");
    require(java.util.Set.of("text", "json").contains(String.valueOf(c.log().format())), "log.format must be text or json");
    require(c.metrics().token() == null || c.metrics().token().isEmpty() || c.metrics().token().length() >= 16,
        "metrics.token must be empty (no token) or at least 16 characters");
    if (c.metrics().apart()) {
      String listen = c.metrics().listen();
      require(listen.matches("(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9.-]+):\\d{1,5}") && c.metrics().listenPort() <= 65535,
          "metrics.listen must be HOST:PORT (for example 127.0.0.1:9400), or empty for the HTTP port, got '"
              + listen + "'");
      require(c.metrics().listenPort() != c.http().port() || c.http().port() == 0,
          "metrics.listen must be another port than http.port (" + c.http().port() + ")");
    }
    require(c.node().name() == null || c.node().name().matches("[A-Za-z0-9._-]{1,64}"),
        "node.name must be 1-64 letters, digits, '.', '_' or '-', got '" + c.node().name() + "'");
    require(c.cluster().nodeTimeoutSeconds() >= 3 && c.cluster().nodeTimeoutSeconds() <= 3600,
        "cluster.node_timeout_seconds must be 3-3600");
    require(c.cluster().jobPollSeconds() >= 1 && c.cluster().jobPollSeconds() <= 600,
        "cluster.job_poll_seconds must be 1-600");
    require(c.audit().retentionDays() >= 1 && c.audit().retentionDays() <= 36500,
        "audit.retention_days must be 1-36500");
    require(c.http().host() != null && !c.http().host().isBlank(), "http.host must be set");
    require(c.http().port() >= 0 && c.http().port() <= 65535, "http.port must be 0-65535");
    require(c.http().eventLoops() >= 0 && c.http().eventLoops() <= 256,
        "http.event_loops must be 0 (two per core) to 256");
    require(java.util.Set.of("auto", "nio", "epoll", "io_uring").contains(String.valueOf(c.http().transport())),
        "http.transport must be auto, nio, epoll or io_uring");
    require(java.util.Set.of("auto", "openssl", "jdk").contains(String.valueOf(c.http().tls().engine())),
        "http.tls.engine must be auto, openssl or jdk");
    require(c.http().headerTimeoutSeconds() >= 1, "http.header_timeout_seconds must be at least 1");
    require(c.http().bodyTimeoutSeconds() >= 1, "http.body_timeout_seconds must be at least 1");
    if (c.http().publicUrl() != null) {
      try {
        URI u = URI.create(c.http().publicUrl());
        require(("http".equals(u.getScheme()) || "https".equals(u.getScheme())) && u.getHost() != null,
            "http.public_url must be an absolute http(s) URL, got '" + c.http().publicUrl() + "'");
      } catch (IllegalArgumentException e) {
        throw new ConfigException("http.public_url is not a URL: " + c.http().publicUrl());
      }
    }
    Config.Tls tls = c.http().tls();
    require((tls.certFile() == null) == (tls.keyFile() == null) || tls.selfSigned(),
        "http.tls needs both cert_file and key_file (PEM), or self_signed: true");
    require(c.store().jdbcUrl() != null
            && (c.store().jdbcUrl().startsWith("jdbc:h2:") || c.store().jdbcUrl().startsWith("jdbc:postgresql:")),
        "store.jdbc_url must be a jdbc:h2: or jdbc:postgresql: URL");
    require(c.store().poolSize() >= 1 && c.store().poolSize() <= 200, "store.pool_size must be 1-200");
    require(c.store().queueLimit() >= 1, "store.queue_limit must be at least 1");
    require(c.store().connectionTimeoutMs() >= 250, "store.connection_timeout_ms must be at least 250");
    require(c.console().tokenTtlSeconds() >= 10 && c.console().tokenTtlSeconds() <= 86400,
        "console.token_ttl_seconds must be 10-86400");
    require(c.console().connectTimeoutSeconds() >= 1, "console.connect_timeout_seconds must be at least 1");
    require(c.console().handshakeTimeoutSeconds() >= 1, "console.handshake_timeout_seconds must be at least 1");
    require(c.console().idleTimeoutSeconds() >= 0, "console.idle_timeout_seconds must be 0 (off) or more");
    require(c.console().drainGraceSeconds() >= 0, "console.drain_grace_seconds must be 0 or more");
    for (String origin : c.console().allowedOrigins()) {
      require(origin.equals("*") || origin.matches("https?://[^/\\s]+"),
          "console.allowed_origins entries look like https://host[:port] (no path), got '" + origin + "'");
    }
    for (String ancestor : c.console().frameAncestors()) {
      require(ancestor.equals("'self'") || ancestor.matches("https?://[^/\\s;,']+"),
          "console.frame_ancestors entries are 'self' or https://host[:port] (no path), got '" + ancestor + "'");
    }
    requireRate(c.console().redeemLimit(), "console.redeem_limit");
    require(c.console().maxMessageBytes() >= 4096 && c.console().maxMessageBytes() <= 64 << 20,
        "console.max_message_bytes must be 4096 to 67108864");
    require(c.console().pingLimit() >= 0, "console.ping_limit must be 0 (off) or more");
    require(CLIPBOARD.contains(String.valueOf(c.console().clipboard())),
        "console.clipboard must be both, to_desktop, from_desktop or none");
    require(VIEWERS.contains(String.valueOf(c.console().viewers())),
        "console.viewers must be shared, exclusive or takeover");
    require(RECORDING.contains(String.valueOf(c.console().recording())),
        "console.recording must be off, on or required");
    require(c.recording().dir() != null && !c.recording().dir().isBlank(), "recording.dir must be set");
    require(c.recording().writerThreads() >= 1 && c.recording().writerThreads() <= 64,
        "recording.writer_threads must be 1-64");
    require(c.recording().retentionDays() >= 1 && c.recording().retentionDays() <= 36500,
        "recording.retention_days must be 1-36500");
    require(c.recording().replayLinkTtlSeconds() >= 10 && c.recording().replayLinkTtlSeconds() <= 86400,
        "recording.replay_link_ttl_seconds must be 10-86400");
    require(java.util.Set.of("local", "s3").contains(String.valueOf(c.recording().storage())),
        "recording.storage must be local or s3");
    if ("s3".equals(c.recording().storage())) {
      Config.S3 s3 = c.recording().s3();
      require(s3.bucket() != null && s3.bucket().matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]"),
          "recording.s3.bucket must be an S3 bucket name (3-63 lower-case letters, digits, '.' or '-')");
      require(s3.region() != null && !s3.region().isBlank(), "recording.s3.region must be set");
      require(s3.endpoint() == null || s3.endpoint().isEmpty() || s3.endpoint().matches("https?://[^\\s/]+/?"),
          "recording.s3.endpoint must be empty or an http(s)://host[:port] address");
      require(s3.prefix() != null && !s3.prefix().startsWith("/") && s3.prefix().length() <= 256,
          "recording.s3.prefix must not start with '/' (at most 256 characters)");
      boolean noAccessKey = s3.accessKey() == null || s3.accessKey().isEmpty();
      require(noAccessKey == (s3.secretKey() == null || s3.secretKey().isEmpty()),
          "recording.s3.access_key and recording.s3.secret_key go together");
    }
    require(java.util.Set.of("netty", "vertx").contains(String.valueOf(c.console().pump())),
        "console.pump must be netty or vertx");
    require(java.util.Set.of("vnc", "x509").contains(String.valueOf(c.providers().xvnc().security())),
        "providers.xvnc.security must be vnc or x509");
    require(c.console().maxClipboardBytes() >= 1024 && c.console().maxClipboardBytes() <= 64 << 20,
        "console.max_clipboard_bytes must be 1024 to 67108864");
    require(c.console().redeemBackoffMaxSeconds() >= 1, "console.redeem_backoff_max_seconds must be at least 1");
    requireRate(c.auth().loginPerAddress(), "auth.login_per_address");
    requireRate(c.auth().loginPerUser(), "auth.login_per_user");
    for (String proxy : c.http().trustedProxies()) {
      require(proxy.matches("[0-9a-fA-F.:]+(/\\d{1,3})?"),
          "http.trusted_proxies entries are IP addresses or CIDRs such as 10.0.0.0/8, got '" + proxy + "'");
    }
    require(c.auth().tokenTtlSeconds() >= 60, "auth.token_ttl_seconds must be at least 60");
    require(c.auth().passwordHashIterations() >= 10_000, "auth.password_hash_iterations must be at least 10000");
    require(c.auth().tokenCacheSeconds() >= 0 && c.auth().tokenCacheSeconds() <= 300,
        "auth.token_cache_seconds must be 0 (off) to 300");
    require(c.auth().hashThreads() >= 0 && c.auth().hashThreads() <= 256,
        "auth.hash_threads must be 0 (one per core) to 256");
    require(c.auth().hashQueueLimit() >= 1, "auth.hash_queue_limit must be at least 1");
    Config.AkskLockout lockout = c.auth().akskLockout();
    require(lockout.maxFailures() >= 0 && lockout.windowSeconds() >= 1 && lockout.lockSeconds() >= 1,
        "auth.aksk_lockout: max_failures 0 (off) or more, window_seconds and lock_seconds at least 1");
    require(c.api().rateLimit().requestsPerSecond() >= 0 && c.api().rateLimit().burst() >= 0,
        "api.rate_limit values must be 0 (off) or more");
    require(c.api().maxBodyBytes() >= 1024, "api.max_body_bytes must be at least 1024");
    require(c.inventory() != null, "inventory must be a mapping with a 'domains' list");
    Config.Providers p = c.providers();
    require(p.staticEndpoints().probeIntervalSeconds() >= 0 && p.staticEndpoints().probeTimeoutMs() >= 100,
        "providers.static: probe_interval_seconds 0 (off) or more, probe_timeout_ms at least 100");
    require(p.operationThreads() >= 1 && p.operationThreads() <= 256, "providers.operation_threads must be 1-256");
    require(p.operationQueueLimit() >= 1, "providers.operation_queue_limit must be at least 1");
    require(p.xvnc().restart().equals("always") || p.xvnc().restart().equals("never"),
        "providers.xvnc.restart must be 'always' or 'never'");
    require(isUnicastIp(p.xvnc().listenAddress()),
        "providers.xvnc.listen_address must be one IP address of this host (not 0.0.0.0 or ::), got '"
            + p.xvnc().listenAddress() + "'");
    require(p.xvnc().runAs() != null && p.xvnc().runAs().matches("[A-Za-z_][A-Za-z0-9._-]{0,31}")
            && !p.xvnc().runAs().equals("root"),
        "providers.xvnc.run_as must be the name of an unprivileged user (letters, digits, ., _ and -; "
            + "not root), got '" + p.xvnc().runAs() + "'");
    require(p.xvnc().checkIntervalSeconds() >= 1, "providers.xvnc.check_interval_seconds must be at least 1");
    p.xvnc().products().forEach((name, product) -> require(product != null
            && product.geometry() != null && product.geometry().matches("\\d{2,5}x\\d{2,5}")
            && (product.depth() == 16 || product.depth() == 24 || product.depth() == 32)
            && product.command() != null && !product.command().isBlank(),
        "providers.xvnc.products." + name + " needs geometry (WxH), depth (16, 24 or 32) and command"));
    require(p.libvirt().uri() != null && !p.libvirt().uri().isBlank(), "providers.libvirt.uri must be set");
    require(p.libvirt().shutdownTimeoutSeconds() >= 1, "providers.libvirt.shutdown_timeout_seconds must be at least 1");
    require(p.libvirt().checkIntervalSeconds() >= 0, "providers.libvirt.check_interval_seconds must be 0 (off) or more");
    p.libvirt().products().forEach((name, product) -> require(product != null && product.templateFile() != null,
        "providers.libvirt.products." + name + " needs template_file"));
  }

  /** An IPv4 or IPv6 literal that names one address (no host name lookups, no wildcard). */
  private static boolean isUnicastIp(String address) {
    if (address == null || !address.matches("[0-9.]+|[0-9a-fA-F:]+")) {
      return false;
    }
    try {
      java.net.InetAddress a = java.net.InetAddress.getByName(address);
      return !a.isAnyLocalAddress() && !a.isMulticastAddress();
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }

  private static void requireRate(Config.RateLimit limit, String key) {
    require(limit != null && limit.requestsPerSecond() >= 0 && limit.burst() >= 0,
        key + ": requests_per_second and burst must be 0 (off) or more");
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new ConfigException(message);
    }
  }
}
