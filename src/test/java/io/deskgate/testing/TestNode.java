package io.deskgate.testing;

import io.deskgate.Deskgate;
import io.deskgate.Main;
import io.deskgate.config.Config;
import io.deskgate.config.ConfigLoader;
import io.deskgate.desktop.Desktop;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A real Deskgate node for a test: configured from YAML text through the real config loader, on a
 * free port, with its store in a temporary directory (H2) or a fresh PostgreSQL database.
 */
public final class TestNode implements AutoCloseable {

  public static final String DOMAIN = "acme";
  public static final String PROJECT = "0bec5db98280d2d02fd6c00c2de791ce";
  public static final String OTHER_PROJECT = "5f2a9c1e7d3b4a6c8e0f1a2b3c4d5e6f";
  public static final String DESKTOP = "2b31ed52-d520-4c1a-9b6e-e57d1a2b3c4d";
  public static final String BOB_DESKTOP = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
  public static final String OTHER_DESKTOP = "9b2f7c4e-1d3a-4e5f-8a6b-0c1d2e3f4a5b";
  public static final String ALICE_AK = "AKALICE000000000001";
  public static final String ALICE_SK = "alice/secret+key=value";

  // https:// nodes in tests serve self-signed certificates (made at their start, for 127.0.0.1)
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
      .sslContext(trustingAnyCertificate()).build();

  private final Deskgate node;
  private final Path dir;

  private TestNode(Deskgate node, Path dir) {
    this.node = node;
    this.dir = dir;
  }

  /**
   * The inventory most tests use: domain acme with alice (workspace_admin, an access key), bob
   * (workspace_user) and victor (workspace_viewer); project region-1 with alice's and bob's desktops
   * on {@code vncPort}; project region-2 with one desktop of alice's.
   */
  public static String standardInventory(int vncPort) {
    return """
        inventory:
          domains:
            - name: acme
              users:
                - {name: alice, password: "alice-pass-1", access_keys: [{ak: %s, sk: "%s"}]}
                - {name: bob, password: "bob-pass-1"}
                - {name: victor, password: "victor-pass-1"}
              projects:
                - id: %s
                  name: region-1
                  members:
                    - {user: alice, roles: [workspace_admin]}
                    - {user: bob, roles: [workspace_user]}
                    - {user: victor, roles: [workspace_viewer]}
                  desktops:
                    - {id: %s, computer_name: dev-01, user_name: alice, console: {host: 127.0.0.1, port: %d}}
                    - {id: %s, computer_name: dev-02, user_name: bob, console: {host: 127.0.0.1, port: %d}}
                - id: %s
                  name: region-2
                  members: [{user: alice, roles: [workspace_admin]}]
                  desktops:
                    - {id: %s, computer_name: other-01, user_name: alice, console: {host: 127.0.0.1, port: %d}}
        """.formatted(ALICE_AK, ALICE_SK, PROJECT, DESKTOP, vncPort, BOB_DESKTOP, vncPort, OTHER_PROJECT,
        OTHER_DESKTOP, vncPort);
  }

  /** Starts a node; {@code yaml} is added to a base config (free port, fast hashing, store in a temp dir). */
  public static TestNode start(String yaml) {
    return start(yaml, Map.of());
  }

  public static TestNode start(String yaml, Map<String, String> env) {
    try {
      Path dir = Files.createTempDirectory("deskgate-test");
      Path file = dir.resolve("deskgate.yaml");
      Files.writeString(file, yaml);
      Map<String, String> all = new HashMap<>();
      all.put("DESKGATE_HTTP_PORT", "0");
      all.put("DESKGATE_AUTH_PASSWORD_HASH_ITERATIONS", "10000");
      all.put("DESKGATE_SECRETS_KEY_FILE", dir.resolve("secret.key").toString());
      all.put("DESKGATE_PROVIDERS_XVNC_RUN_DIR", dir.resolve("xvnc").toString());
      // tests that want probes and checks turn them on; others register desktops on closed ports at will
      all.put("DESKGATE_PROVIDERS_STATIC_PROBE_INTERVAL_SECONDS", "0");
      all.put("DESKGATE_PROVIDERS_LIBVIRT_CHECK_INTERVAL_SECONDS", "0");
      // tests log in and open consoles from one address far faster than a person; throttle tests turn them on
      all.put("DESKGATE_AUTH_LOGIN_PER_ADDRESS_REQUESTS_PER_SECOND", "0");
      all.put("DESKGATE_AUTH_LOGIN_PER_USER_REQUESTS_PER_SECOND", "0");
      all.put("DESKGATE_CONSOLE_REDEEM_LIMIT_REQUESTS_PER_SECOND", "0");
      all.putIfAbsent("DESKGATE_DB_URL", "jdbc:h2:file:" + dir.resolve("db").toAbsolutePath());
      all.putAll(env);
      Config config = ConfigLoader.load(file, all);
      return new TestNode(Deskgate.start(config), dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static javax.net.ssl.SSLContext trustingAnyCertificate() {
    try {
      javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
      context.init(null, new javax.net.ssl.TrustManager[] {new javax.net.ssl.X509TrustManager() {
        @Override
        public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType) {}

        @Override
        public java.security.cert.X509Certificate[] getAcceptedIssuers() {
          return new java.security.cert.X509Certificate[0];
        }
      }}, null);
      return context;
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  public Deskgate node() {
    return node;
  }

  public Path dir() {
    return dir;
  }

  public String baseUrl() {
    return node.publicUrl();
  }

  public HttpResponse<String> send(HttpRequest.Builder request) {
    return call(request);
  }

  private static HttpResponse<String> call(HttpRequest.Builder request) {
    try {
      return HTTP.send(request.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create(baseUrl() + path));
  }

  public HttpResponse<String> get(String path, String... headers) {
    HttpRequest.Builder b = request(path).GET();
    if (headers.length > 0) {
      b.headers(headers);
    }
    return send(b);
  }

  /** The remote-console call for a desktop of a project, with extra headers. */
  public HttpResponse<String> remoteConsole(String project, String desktop, String... headers) {
    return get("/v2/" + project + "/desktops/" + desktop + "/remote-consoles", headers);
  }

  public HttpResponse<String> login(String user, String password, String project) {
    return send(request("/v3/auth/tokens").header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(loginBody(user, password, project).encode())));
  }

  /** A password login's body for a user of {@link #DOMAIN}, scoped to the project (unscoped when null). */
  public static JsonObject loginBody(String user, String password, String project) {
    JsonObject auth = new JsonObject()
        .put("identity", new JsonObject().put("methods", new io.vertx.core.json.JsonArray().add("password"))
            .put("password", new JsonObject().put("user", new JsonObject().put("name", user).put("password", password)
                .put("domain", new JsonObject().put("name", DOMAIN)))));
    if (project != null) {
      auth.put("scope", new JsonObject().put("project", new JsonObject().put("id", project)));
    }
    return new JsonObject().put("auth", auth);
  }

  /** The command that runs Deskgate's {@code Main} with {@code args} in a JVM of its own, from the test classpath. */
  public static List<String> mainCommand(String... args) {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), Main.class.getName()));
    command.addAll(List.of(args));
    return command;
  }

  /** An IAM token for the user, scoped to the project. */
  public String token(String user, String password, String project) {
    HttpResponse<String> r = login(user, password, project);
    if (r.statusCode() != 201) {
      throw new IllegalStateException("login failed: " + r.statusCode() + " " + r.body());
    }
    return IssuedTokens.remember(r.headers().firstValue("X-Subject-Token").orElseThrow());
  }

  /** A console URL for the desktop, as alice (workspace_admin of region-1). */
  public String consoleUrl(String desktop) {
    HttpResponse<String> r = remoteConsole(PROJECT, desktop, "X-Auth-Token", token("alice", "alice-pass-1", PROJECT));
    if (r.statusCode() != 200) {
      throw new IllegalStateException("remote-console failed: " + r.statusCode() + " " + r.body());
    }
    return new JsonObject(r.body()).getString("url");
  }

  /** An IAM token for alice (region-1) from a Deskgate a test runs in a process of its own at {@code baseUrl}. */
  public static String aliceTokenAt(String baseUrl) {
    HttpResponse<String> r = call(HttpRequest.newBuilder(URI.create(baseUrl + "/v3/auth/tokens"))
        .POST(HttpRequest.BodyPublishers.ofString(loginBody("alice", "alice-pass-1", PROJECT).encode())));
    return IssuedTokens.remember(r.headers().firstValue("X-Subject-Token")
        .orElseThrow(() -> new IllegalStateException("login failed: " + r.statusCode() + " " + r.body())));
  }

  /** A console token for alice's desktop {@link #DESKTOP} from the Deskgate at {@code baseUrl}. */
  public static String consoleTokenAt(String baseUrl, String authToken) {
    HttpResponse<String> r = call(HttpRequest.newBuilder(URI.create(baseUrl + "/v2/" + PROJECT + "/desktops/"
        + DESKTOP + "/remote-consoles")).header("X-Auth-Token", authToken));
    return tokenOf(new JsonObject(r.body()).getString("url"));
  }

  /** The token inside a console URL (remembered: no log line of the test run may ever show it). */
  public static String tokenOf(String consoleUrl) {
    return IssuedTokens.remember(URI.create(consoleUrl).getQuery().replaceAll(".*token=([^&]+).*", "$1"));
  }

  /** Registers (or re-points) a desktop of alice's in region-1 whose console is 127.0.0.1:{@code port}. */
  public void addDesktop(String id, int port) {
    addDesktop(id, new Desktop.ConsoleEndpoint("127.0.0.1", port, null));
  }

  /** Registers (or re-points) a desktop of alice's in region-1 with the console endpoint and policy given. */
  public void addDesktop(String id, Desktop.ConsoleEndpoint console) {
    node.database().runNow(c -> {
      node.desktops().upsert(c, Desktop.registered(PROJECT, id, id, "alice", List.of(), Map.of(), console,
          Desktop.Source.STATIC));
      return null;
    });
  }

  /** A console URL for a view-only console of the desktop (Deskgate's {@code ?console_mode=view}), as alice. */
  public String viewConsoleUrl(String desktop) {
    HttpResponse<String> r = get("/v2/" + PROJECT + "/desktops/" + desktop + "/remote-consoles?console_mode=view",
        "X-Auth-Token", token("alice", "alice-pass-1", PROJECT));
    if (r.statusCode() != 200) {
      throw new IllegalStateException("remote-console failed: " + r.statusCode() + " " + r.body());
    }
    return new JsonObject(r.body()).getString("url");
  }

  /** A loopback port nothing listens on. */
  public static int closedPort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Waits until something listens on loopback {@code port}; fails after {@code wait}. */
  public static void awaitListening(int port, Duration wait) {
    Workspace.until(() -> listening(port), Boolean::booleanValue, wait, "something listening on port " + port);
  }

  private static boolean listening(int port) {
    try (java.net.Socket s = new java.net.Socket(InetAddress.getLoopbackAddress(), port)) {
      return true;
    } catch (IOException notYet) {
      return false;
    }
  }

  /** Runs SQL on the node's store (to put it in states the API cannot reach, such as an expired token). */
  public int sql(String statement, Object... args) {
    return node.database().runNow(c -> io.deskgate.store.Sql.update(c, statement, args));
  }

  @Override
  public void close() {
    node.close();
  }
}
