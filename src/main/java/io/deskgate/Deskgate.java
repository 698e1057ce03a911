package io.deskgate;

import io.deskgate.admin.AdminPage;
import io.deskgate.api.ApiErrorHandler;
import io.deskgate.api.ApiException;
import io.deskgate.api.AttemptLimit;
import io.deskgate.api.ConnectionGuard;
import io.deskgate.api.HttpFront;
import io.deskgate.api.JsonBodies;
import io.deskgate.api.MetricsEndpoint;
import io.deskgate.api.Throttle;
import io.deskgate.auth.Authenticator;
import io.deskgate.auth.AuthorizationMessageRoute;
import io.deskgate.auth.CredentialRoutes;
import io.deskgate.auth.IamRoutes;
import io.deskgate.auth.IamTokens;
import io.deskgate.auth.IdentityStore;
import io.deskgate.auth.PasswordHasher;
import io.deskgate.auth.Policy;
import io.deskgate.auth.WorkspaceAccess;
import io.deskgate.cluster.Chores;
import io.deskgate.cluster.ClusterEvents;
import io.deskgate.cluster.ConsoleHistory;
import io.deskgate.cluster.ConsoleRoutes;
import io.deskgate.cluster.NodeRegistry;
import io.deskgate.cluster.NodesRoute;
import io.deskgate.cluster.SessionLedger;
import io.deskgate.config.Config;
import io.deskgate.config.Inventory;
import io.deskgate.console.ConsolePage;
import io.deskgate.console.ConsoleTokens;
import io.deskgate.console.RemoteConsoleRoute;
import io.deskgate.desktop.DesktopRoutes;
import io.deskgate.desktop.DesktopStore;
import io.deskgate.inventory.InventoryApplier;
import io.deskgate.inventory.StaticDesktopRoutes;
import io.deskgate.lifecycle.Jobs;
import io.deskgate.lifecycle.Lifecycle;
import io.deskgate.lifecycle.LifecycleRoutes;
import io.deskgate.lifecycle.Watcher;
import io.deskgate.provider.Providers;
import io.deskgate.recording.Recorder;
import io.deskgate.recording.RecordingCatalog;
import io.deskgate.recording.LocalStorage;
import io.deskgate.recording.RecordingRoutes;
import io.deskgate.recording.RecordingStorage;
import io.deskgate.recording.ReplayLinks;
import io.deskgate.recording.Replays;
import io.deskgate.recording.S3Storage;
import io.deskgate.proxy.CloseReason;
import io.deskgate.proxy.ConsolePolicy;
import io.deskgate.proxy.ConsoleProxy;
import io.deskgate.proxy.OriginPolicy;
import io.deskgate.proxy.Sessions;
import io.deskgate.store.Database;
import io.deskgate.store.PrivateFiles;
import io.deskgate.store.SecretBox;
import io.deskgate.web.ClientAddresses;
import io.deskgate.web.CommonPageFiles;
import io.deskgate.web.HttpServers;
import io.deskgate.web.Logging;
import io.deskgate.web.Metrics;
import io.deskgate.web.NativeIo;
import io.deskgate.web.RequestLog;
import io.deskgate.web.Tls;
import io.deskgate.work.WorkerPool;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.transport.Transport;
import io.vertx.ext.web.Router;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Deskgate node, assembled: the store, the services, and the HTTP servers (one per event loop,
 * {@link HttpServers}) carrying the Workspace and IAM APIs, the console page and the console
 * WebSocket. {@link #start} blocks until it serves.
 * A request's path: {@link RequestLog} -> the feature's route ({@link RemoteConsoleRoute},
 * {@link IamRoutes}, {@link ConsolePage}, {@link ConsoleProxy}) -> {@link ApiErrorHandler} on failure.
 */
public final class Deskgate implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Deskgate.class);
  /** How often the desktops metric is counted again. */
  private static final long CENSUS_EVERY_MS = 15_000;
  private static final long PURGE_EVERY_MS = TimeUnit.MINUTES.toMillis(10);
  /** What a request line and its headers may take, on the API's port and on the metrics port alike. */
  private static final int MAX_REQUEST_LINE_BYTES = 8192;
  private static final int MAX_HEADER_BYTES = 16_384;

  private final Config config;
  private final Vertx vertx;
  private final Database db;
  private final SecretBox secrets;
  private final PasswordHasher hasher;
  private final WorkerPool hashing;
  private final WorkerPool operations;
  private final Metrics metrics = new Metrics();
  private final ClientAddresses clients;
  private final Recorder recorder;
  private final RecordingStorage recordingStorage;
  private final WorkerPool recordingReaders;
  private final RecordingCatalog recordings;
  private final DesktopStore desktops = new DesktopStore();
  private final ConsoleTokens consoleTokens;
  private final String nodeId;
  private final Sessions sessions;
  private final ClusterEvents events;
  private final SessionLedger ledger;
  private NodeRegistry registry;
  private final Providers providers;
  private final Jobs jobs = new Jobs();
  private final Lifecycle lifecycle;
  private final Watcher watcher;
  private ConsoleProxy proxy;
  private HttpServers servers;
  private HttpServer metricsServer;
  private String publicUrl;
  private final String transportName;

  private Deskgate(Config config) {
    this.config = config;
    this.clients = new ClientAddresses(config.http().trustedProxies());
    Logging.apply(config.log());
    Transport transport = NativeIo.transport(config.http().transport());
    this.transportName = transport.name();
    this.vertx = Vertx.builder()
        .with(new VertxOptions().setEventLoopPoolSize(config.http().eventLoopCount()))
        .withTransport(transport)
        .build();
    try {
      this.db = Database.open(config.store());
    } catch (RuntimeException e) {
      vertx.close();
      throw e;
    }
    try {
      this.secrets = SecretBox.forStore(config.secrets(), db);
    } catch (RuntimeException e) {
      db.close();
      vertx.close();
      throw e;
    }
    this.hasher = new PasswordHasher(config.auth().passwordHashIterations());
    this.hashing = new WorkerPool("hash", config.auth().hashThreadCount(), config.auth().hashQueueLimit(),
        ApiException::throttled);
    this.consoleTokens = new ConsoleTokens(db, desktops, secrets,
        new ConsolePolicy(false, ConsolePolicy.parse(ConsolePolicy.Clipboard.class, config.console().clipboard()),
            ConsolePolicy.parse(ConsolePolicy.Viewers.class, config.console().viewers()),
            ConsolePolicy.parse(ConsolePolicy.Recording.class, config.console().recording())),
        config.console().tokenTtlSeconds());
    this.nodeId = config.node().name() != null ? config.node().name() : hostName();
    this.recordings = new RecordingCatalog(db, nodeId);
    this.recordingStorage = "s3".equals(config.recording().storage())
        ? new S3Storage(Path.of(config.recording().dir()), config.recording().s3())
        : new LocalStorage(Path.of(config.recording().dir()));
    this.recorder = new Recorder(recordingStorage, secrets, recordings, config.recording().writerThreads(),
        metrics.recordings());
    this.recordingReaders = new WorkerPool("recording-read", config.recording().writerThreads(), 64,
        () -> new ApiException(503, "WKS.00000503", "Too many recordings are being read on this node; retry later."));
    this.sessions = new Sessions(vertx, metrics, nodeId, config.console().handshakeTimeoutSeconds(),
        config.console().idleTimeoutSeconds(), config.console().maxMessageBytes(), config.console().pingLimit(),
        config.console().maxClipboardBytes(), "netty".equals(config.console().pump()));
    this.events = ClusterEvents.of(vertx, db, config.store());
    events.on(ClusterEvents.Kind.CLOSE_DESKTOP, id -> sessions.closeDesktop(id, CloseReason.DESKTOP_STOPPED));
    events.on(ClusterEvents.Kind.END_SESSION, subject -> {
      int space = subject.indexOf(' ');
      if (space > 0) {
        sessions.endSession(subject.substring(0, space), subject.substring(space + 1));
      }
    });
    this.ledger = new SessionLedger(vertx, db, nodeId, sessions::all);
    sessions.listener(ledger);
    this.providers = new Providers(config.providers(), secrets);
    this.operations = new WorkerPool("operation", config.providers().operationThreads(),
        config.providers().operationQueueLimit(), () -> new IllegalStateException(
            "too many desktop operations in progress on this node; retry later"));
    this.lifecycle = new Lifecycle(vertx, operations, config.providers().operationThreads(),
        config.providers().operationQueueLimit(), db, desktops, jobs,
        providers, events, secrets, nodeId, config.cluster(), config.providers().libvirt().uri(), metrics);
    this.watcher = new Watcher(vertx, db, desktops, jobs, providers, lifecycle, config.providers(), nodeId);
  }

  private static String hostName() {
    String fromEnv = System.getenv("HOSTNAME");
    if (fromEnv != null && !fromEnv.isBlank()) {
      return fromEnv;
    }
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException e) {
      return "localhost";
    }
  }

  /** Opens the store only, without serving: for maintenance commands. */
  public static Deskgate openStore(Config config) {
    return new Deskgate(config);
  }

  /** Opens the store, applies the inventory and serves; blocks until listening. */
  public static Deskgate start(Config config) {
    checkBeforeStart(config);
    Deskgate node = new Deskgate(config);
    try {
      if (!config.inventory().isEmpty()) {
        node.applyInventory(config.inventory());
      }
      node.ledger.clearOwn();
      int interrupted = node.recordings.endInterrupted();
      if (interrupted > 0) {
        log.info("{} recordings of this node's previous run marked truncated", interrupted);
      }
      node.watcher.recoverAtStart();
      node.serve();
      node.registry.join();
      node.lifecycle.startJobs();
      node.watcher.watch();
      return node;
    } catch (RuntimeException e) {
      node.close();
      throw e;
    }
  }

  /** What an operator can get wrong, found before anything is opened or written: exits fast, leaves nothing. */
  private static void checkBeforeStart(Config config) {
    HttpServers.requirePortFree(config.http().host(), config.http().port(), "http.host / http.port (DESKGATE_HTTP_HOST / DESKGATE_HTTP_PORT)");
    if (config.metrics().apart()) {
      HttpServers.requirePortFree(config.metrics().listenHost(), config.metrics().listenPort(),
          "metrics.listen (DESKGATE_METRICS_LISTEN)");
    }
    if (config.http().tls().certFile() != null && !config.http().tls().selfSigned()) {
      Tls.keyCert(config.http().tls(), null);
    }
    Database.requireWritableDirectory(config.store());
    if (config.secrets().key() == null || config.secrets().key().isBlank()) {
      Path keyDir = Path.of(config.secrets().keyFile()).toAbsolutePath().getParent();
      PrivateFiles.requireWritableDirectory(keyDir, "the secrets key's");
    }
  }

  /** Applies an inventory to the store (as at every start). */
  public void applyInventory(Inventory inventory) {
    new InventoryApplier(hasher, secrets, desktops, config.providers().xvnc().products().keySet(), nodeId,
        config.providers().libvirt().uri())
        .apply(db, inventory);
  }

  private void serve() {
    Config.Http http = config.http();
    HttpServerOptions options = new HttpServerOptions()
        .setHost(http.host())
        .setPort(http.port())
        .setTcpQuickAck(true)   // as the desktop side (ConsoleProxy): epoll would otherwise delay ACKs
        .setIdleTimeout(http.idleTimeoutSeconds())
        .setMaxWebSocketFrameSize(Math.min(65_536, config.console().maxMessageBytes()))
        .setMaxWebSocketMessageSize(config.console().maxMessageBytes())
        .setPerMessageWebSocketCompressionSupported(config.console().websocketCompression())
        .setPerFrameWebSocketCompressionSupported(false)
        .setWebSocketSubProtocols(List.of("binary", "*"))
        .setMaxInitialLineLength(MAX_REQUEST_LINE_BYTES)
        .setMaxHeaderSize(MAX_HEADER_BYTES)
        .setHttp2ClearTextEnabled(http.h2c());
    if (http.tls().enabled()) {
      String publicHost = http.publicUrl() == null ? null : java.net.URI.create(http.publicUrl()).getHost();
      options.setSsl(true).setKeyCertOptions(Tls.keyCert(http.tls(), publicHost))
          .setSslEngineOptions(NativeIo.tlsEngine(http.tls().engine()));
    }
    Router router = Router.router(vertx);
    HttpFront front = new HttpFront(vertx, router, clients, metrics, config.api().maxBodyBytes(),
        http.bodyTimeoutSeconds());
    servers = HttpServers.listen(vertx, options, http.eventLoopCount(), server -> server
        .requestHandler(front)
        .invalidRequestHandler(front::invalidRequest)
        .connectionHandler(connection -> ConnectionGuard.install(connection, options, http.headerTimeoutSeconds(),
            config.console().maxMessageBytes())));
    String scheme = http.tls().enabled() ? "https://" : "http://";
    publicUrl = http.publicUrl() != null ? stripSlash(http.publicUrl())
        : scheme
            + (http.host().equals("0.0.0.0") ? "127.0.0.1" : http.host()) + ":" + servers.port();
    mountRoutes(router);
    if (config.metrics().apart()) {
      metricsServer = serveMetricsApart();
    }
    String ownHost = http.host().equals("0.0.0.0") || http.host().equals("::") ? hostName() : http.host();
    registry = new NodeRegistry(vertx, db, nodeId, scheme + ownHost + ":" + servers.port(),
        config.cluster().nodeTimeoutSeconds(), sessions::count, proxy::draining, ledger);
    metrics.storeUp(registry::storeReachable);
    metrics.pool(db);
    vertx.setPeriodic(PURGE_EVERY_MS, t -> housekeeping());
    vertx.setPeriodic(0, CENSUS_EVERY_MS, t -> db.run(DesktopStore::census).onSuccess(metrics::desktops));
    log.info("Deskgate listening on {}:{} with {} event loops on {}{}, public URL {}, store {}", http.host(),
        servers.port(), servers.count(), transportName,
        options.isSsl() ? ", TLS by " + NativeIo.describe(options.getSslEngineOptions()) : "", publicUrl,
        db.isPostgres() ? "PostgreSQL" : "H2");
  }

  private void mountRoutes(Router router) {
    IdentityStore identities = new IdentityStore();
    IamTokens iamTokens = new IamTokens(config.auth().tokenTtlSeconds());
    Authenticator authenticator = new Authenticator(db, identities, secrets, config.auth(), metrics);
    events.on(ClusterEvents.Kind.FORGET_TOKEN, authenticator::forget);
    Throttle throttle = new Throttle(config.api().rateLimit());
    AttemptLimit consoleLinkAttempts = new AttemptLimit(config.console().redeemLimit(),
        config.console().redeemBackoffMaxSeconds(), System::nanoTime);
    Policy policy = new Policy(secrets);

    router.route().handler(new RequestLog(metrics, clients));
    JsonBodies bodies = new JsonBodies(config.api().maxBodyBytes());
    for (String prefix : List.of("/v2/*", "/v3/*", "/v3.0/*", "/v5/*", ConsolePage.BASE + "session",
        Replays.STREAM_PATH)) {
      bodies.mount(router, prefix);
    }
    WorkspaceAccess access = new WorkspaceAccess(authenticator, throttle);
    new IamRoutes(hashing, db, identities, iamTokens, hasher, authenticator,
        new Throttle(config.auth().loginPerAddress()), new Throttle(config.auth().loginPerUser()), access,
        hash -> events.publish(ClusterEvents.Kind.FORGET_TOKEN, hash)).mount(router);
    new CredentialRoutes(db, access, secrets).mount(router);
    new AuthorizationMessageRoute(authenticator, policy).mount(router);
    new RemoteConsoleRoute(db, access, policy, desktops, consoleTokens, metrics, publicUrl).mount(router);
    new LifecycleRoutes(db, access, policy, lifecycle, jobs).mount(router);
    new DesktopRoutes(db, access, policy, desktops).mount(router);
    new StaticDesktopRoutes(db, access, policy, desktops, secrets, events, config.inventory().desktopIds())
        .mount(router);
    new ConsoleRoutes(db, access, policy, events).mount(router);
    new NodesRoute(db, access, policy).mount(router);
    new RecordingRoutes(db, access, policy).mount(router);
    new Replays(db, access, policy, new ReplayLinks(config.recording().replayLinkTtlSeconds()), recordingStorage,
        secrets, recordingReaders, consoleLinkAttempts, publicUrl, nodeId).mount(router);
    new AdminPage().mount(router);
    CommonPageFiles.mount(router);
    proxy = new ConsoleProxy(vertx, consoleTokens, new OriginPolicy(publicUrl, config.console().allowedOrigins()),
        sessions, metrics, consoleLinkAttempts, config.console().connectTimeoutSeconds(), recorder,
        config.console().recordingKeys());
    proxy.mount(router);
    new ConsolePage(consoleTokens, consoleLinkAttempts, config.console().frameAncestors()).mount(router);
    if (!config.metrics().apart()) {
      new MetricsEndpoint(metrics, config.metrics().token()).mount(router);
    }
    router.get("/healthz").handler(ctx -> db.run(c -> c.isValid(2)).onComplete(ok -> {
      boolean up = ok.succeeded() && ok.result();
      String status = proxy.draining() ? "draining" : up ? "ok" : "store unavailable";
      ctx.response().setStatusCode(status.equals("ok") ? 200 : 503)
          .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
          .end(new JsonObject().put("status", status).put("node", nodeId).put("sessions", sessions.count()).encode());
    }));
    answerErrors(router);
  }

  private void answerErrors(Router router) {
    ApiErrorHandler errors = new ApiErrorHandler(config.api().maxBodyBytes(), metrics);
    router.errorHandler(404, errors);
    router.errorHandler(405, errors);
    router.route().failureHandler(errors);
  }

  /** {@code metrics.listen}: {@code /metrics} alone on a port of its own, logged like the API. */
  private HttpServer serveMetricsApart() {
    Router router = Router.router(vertx);
    router.route().handler(new RequestLog(metrics, clients));
    new MetricsEndpoint(metrics, config.metrics().token()).mount(router);
    answerErrors(router);
    HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost(config.metrics().listenHost())
        .setPort(config.metrics().listenPort()).setIdleTimeout(config.http().idleTimeoutSeconds())
        .setMaxInitialLineLength(MAX_REQUEST_LINE_BYTES).setMaxHeaderSize(MAX_HEADER_BYTES)).requestHandler(router);
    server.listen().await();
    log.info("metrics served on {}:{} only", config.metrics().listenHost(), server.actualPort());
    return server;
  }

  /**
   * Purges expired tokens, this node's recordings older than {@code recording.retention_days}, and (one
   * node of the region at a time, every {@link #PURGE_EVERY_MS}) console history older than
   * {@code audit.retention_days}. Runs on a timer; returns when done.
   */
  public io.vertx.core.Future<Void> housekeeping() {
    long now = System.currentTimeMillis();
    long historyCutoff = now - TimeUnit.DAYS.toMillis(config.audit().retentionDays());
    io.vertx.core.Future<Void> oldRecordings = vertx.executeBlocking(() -> recorder.purge(config.recording().retentionDays()),
        false).onSuccess(n -> {
          if (n > 0) {
            log.info("purged {} recordings older than {} days", n, config.recording().retentionDays());
          }
        }).onFailure(e -> log.warn("purging old recordings failed: {}", e.getMessage())).mapEmpty();
    io.vertx.core.Future<Void> store = db.run(c -> {
      int tokens = ConsoleTokens.purgeExpired(c, now) + IamTokens.purgeExpired(c, now)
          + ReplayLinks.purgeExpired(c, now);
      if (tokens > 0) {
        log.info("purged {} expired tokens", tokens);
      }
      if (Chores.takeTurn(c, "history-purge", now, PURGE_EVERY_MS - 1000)) {
        int history = ConsoleHistory.purge(c, historyCutoff);
        if (history > 0) {
          log.info("purged {} console history rows older than {} days", history, config.audit().retentionDays());
        }
      }
      return (Void) null;
    }).onFailure(e -> log.warn("purging expired tokens and history failed: {}", e.getMessage()));
    return io.vertx.core.Future.join(oldRecordings, store).mapEmpty();
  }

  public String publicUrl() {
    return publicUrl;
  }

  public int port() {
    return servers.port();
  }

  public Database database() {
    return db;
  }

  public SecretBox secrets() {
    return secrets;
  }

  public PasswordHasher passwordHasher() {
    return hasher;
  }

  public DesktopStore desktops() {
    return desktops;
  }

  public ConsoleTokens consoleTokens() {
    return consoleTokens;
  }

  public Sessions sessions() {
    return sessions;
  }

  public Providers providers() {
    return providers;
  }

  public Lifecycle lifecycle() {
    return lifecycle;
  }

  public String nodeId() {
    return nodeId;
  }

  public Vertx vertx() {
    return vertx;
  }

  /**
   * Graceful drain (SIGTERM): new consoles are refused and {@code /healthz} answers 503 "draining" so that
   * a load balancer sends them elsewhere; live sessions go on until they end or
   * {@code console.drain_grace_seconds} pass, then are closed with "server shutting down". Blocks.
   */
  public void drain() {
    if (proxy == null) {
      return;
    }
    proxy.drain();
    registry.beatNow();
    long grace = config.console().drainGraceSeconds();
    log.info("draining: new consoles refused; {} live sessions may go on for up to {} s", sessions.count(), grace);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(grace);
    while (sessions.count() > 0 && System.nanoTime() < deadline) {
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    if (sessions.count() > 0) {
      log.info("drain: grace period over, closing {} sessions", sessions.count());
    }
  }

  /** Closes live consoles (telling each browser why), stops serving, closes the store. */
  @Override
  public void close() {
    lifecycle.stopJobs();
    sessions.closeAll(CloseReason.SHUTDOWN);
    try {
      if (servers != null) {
        servers.shutdown(2);
      }
      if (metricsServer != null) {
        metricsServer.close().await();
      }
      vertx.close().await();
    } catch (RuntimeException e) {
      log.warn("stopping the HTTP server: {}", e.getMessage());
    }
    if (registry != null) {
      registry.leave();
    }
    recorder.close();
    recordingStorage.close();
    events.close();
    hashing.close();
    recordingReaders.close();
    operations.close();
    if (db != null) {
      db.close();
    }
    metrics.close();
  }

  private static String stripSlash(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }
}
