package io.deskgate.proxy;

import io.deskgate.api.ApiException;
import io.deskgate.api.AttemptLimit;
import io.deskgate.recording.Recorder;
import io.deskgate.recording.RecordingCatalog;
import io.deskgate.web.Metrics;
import io.deskgate.web.RequestLog;
import io.netty.channel.Channel;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console WebSocket ({@code GET /vnc/console/websockify}, upgraded): checks {@code Origin}
 * (foreign pages get 403 and no WebSocket), takes the token from the {@code token} query parameter or
 * from a {@code Sec-WebSocket-Protocol} entry, redeems it, connects to the desktop's VNC endpoint, runs
 * the RFB handshake with it to ServerInit ({@link DesktopHandshake}), and only then accepts the
 * browser's WebSocket and hands both sockets to a {@link Session}. A refused or failed session is accepted and then closed
 * with a {@link CloseReason}, because a browser cannot read the status of a refused upgrade and the
 * page must tell the user what happened.
 */
public final class ConsoleProxy {

  public static final String PATH = "/vnc/console/websockify";
  /** How much of a browser's User-Agent the session list and history keep. */
  private static final int MAX_USER_AGENT = 256;
  private static final Logger log = LoggerFactory.getLogger("deskgate.console");

  private final TokenLookup tokens;
  private final OriginPolicy origins;
  private final Sessions sessions;
  private final Metrics metrics;
  private final NetClient vncClient;
  private final AttemptLimit attempts;
  private final Recorder recorder;
  private final boolean recordKeys;
  private volatile boolean draining;

  /** {@code recorder}: where consoles whose policy says so are recorded; {@code recordKeys}: which keys too. */
  public ConsoleProxy(Vertx vertx, TokenLookup tokens, OriginPolicy origins, Sessions sessions, Metrics metrics,
                      AttemptLimit attempts, int connectTimeoutSeconds, Recorder recorder, boolean recordKeys) {
    this.recorder = recorder;
    this.recordKeys = recordKeys;
    this.tokens = tokens;
    this.attempts = attempts;
    this.origins = origins;
    this.sessions = sessions;
    this.metrics = metrics;
    this.vncClient = vertx.createNetClient(new NetClientOptions()
        .setConnectTimeout(connectTimeoutSeconds * 1000)
        .setTcpNoDelay(true)
        // Vert.x's epoll transport otherwise sets TCP_QUICKACK off, which holds the handshake's last ACK up
        // to 200 ms waiting for data to ride on: a VNC server speaks first, so every connect waited that long
        .setTcpQuickAck(true)
        .setTcpKeepAlive(true));
  }

  /** From now on, new console WebSockets are closed at once with "server shutting down", tokens untouched. */
  public void drain() {
    draining = true;
  }

  public boolean draining() {
    return draining;
  }

  public void mount(Router router) {
    router.get(PATH).handler(this::upgrade);
  }

  private void upgrade(RoutingContext ctx) {
    HttpServerRequest req = ctx.request();
    String requestId = RequestLog.id(ctx);
    if (!"websocket".equalsIgnoreCase(req.getHeader("Upgrade"))) {
      ctx.fail(ApiException.badParameter("This URL only takes a WebSocket upgrade."));
      return;
    }
    String origin = req.getHeader("Origin");
    if (!origins.allows(origin)) {
      metrics.sessionRefused("origin");
      log.warn("console req={} refused: page origin {} is not allowed", requestId, origin);
      ctx.fail(new ApiException(403, "WKS.00000403", "The page's origin is not allowed to open consoles."));
      return;
    }
    // Keep the request unread while the token is redeemed: an ended request can no longer be upgraded.
    req.pause();
    Context context = Vertx.currentContext();
    Channel browserChannel = ((ConnectionBase) req.connection()).channel();
    String token = tokenOf(req);
    String client = RequestLog.client(ctx);
    String userAgent = req.getHeader("User-Agent");
    String agent = userAgent == null ? null : userAgent.substring(0, Math.min(userAgent.length(), MAX_USER_AGENT));
    // the attempt limit comes before the store: guessing links costs the guesser, not the database
    Future<TokenLookup.Target> redeemed = draining
        ? Future.failedFuture(new ConsoleRefusal(CloseReason.SHUTDOWN, "this node is draining"))
        : !attempts.allows(client)
        ? Future.failedFuture(new ConsoleRefusal(CloseReason.THROTTLED, "client " + client + " over its attempt limit"))
        : token == null
        ? Future.failedFuture(new ConsoleRefusal(CloseReason.TOKEN_REFUSED, "no token"))
        : tokens.redeem(token).andThen(outcome -> {
          if (outcome.succeeded()) {
            attempts.succeeded(client);
          } else if (outcome.cause() instanceof ConsoleRefusal refusal && refusal.reason() == CloseReason.TOKEN_REFUSED) {
            attempts.refused(client);
          }
        });
    long sessionId = sessions.newId();
    long[] mark = {System.nanoTime()};
    long requested = mark[0];
    redeemed.onSuccess(t -> step("redeem", mark))
        .compose(target -> vncClient.connect(target.port(), target.host())
            .recover(e -> Future.failedFuture(new ConsoleRefusal(CloseReason.DESKTOP_UNREACHABLE,
                target.host() + ":" + target.port() + ": " + e.getMessage())))
            .onSuccess(s -> step("connect", mark))
            .compose(socket -> DesktopHandshake.run(context.owner(), socket, target, sessions.handshakeTimeoutMs(),
                    sessions.maxClipboardBytes())
                .map(ready -> new Joined(target, socket, ready, null))))
        .onSuccess(j -> step("desktop_handshake", mark))
        .compose(j -> record(j, context, requestId, sessionId))
        .onComplete(joined -> req.toWebSocket().onComplete(upgraded -> {
          if (upgraded.failed()) {
            log.info("console req={} WebSocket upgrade failed: {}", requestId, upgraded.cause().getMessage());
            if (joined.succeeded()) {
              joined.result().socket().close();
              if (joined.result().recording() != null) {
                joined.result().recording().recording().end(CloseReason.BROWSER_CLOSED.label());
              }
            }
            return;
          }
          ServerWebSocket ws = upgraded.result();
          if (joined.succeeded()) {
            step("upgrade", mark);
            sessions.start(sessionId, ws, browserChannel, joined.result().socket(), joined.result().target(),
                joined.result().desktop(), joined.result().recording(), requestId, client, agent, context, requested);
          } else {
            refuse(ws, requestId, joined.cause());
          }
        }));
  }

  /** Records a step of opening a console, from {@code mark[0]} (then moved to now). */
  private void step(String name, long[] mark) {
    long now = System.nanoTime();
    metrics.consoleOpenStep(name, now - mark[0]);
    mark[0] = now;
  }

  private record Joined(TokenLookup.Target target, NetSocket socket, DesktopHandshake.Ready desktop,
                        Recorder.Opened recording) {}

  /**
   * Opens the console's recording when its policy asks for one (the file is made off the event loop).
   * A recording that cannot start refuses a {@code required} console and leaves an {@code on} one
   * unrecorded.
   */
  private Future<Joined> record(Joined joined, Context context, String requestId, long sessionId) {
    ConsolePolicy.Recording policy = joined.target().policy().recording();
    if (policy == ConsolePolicy.Recording.OFF) {
      return Future.succeededFuture(joined);
    }
    TokenLookup.Target target = joined.target();
    RecordingCatalog.Subject subject = new RecordingCatalog.Subject(sessions.publicId(sessionId), target.projectId(),
        target.desktopId(), target.userId());
    return context.owner().executeBlocking(() -> recorder.open(subject, recordKeys), false)
        .map(opened -> new Joined(joined.target(), joined.socket(), joined.desktop(), opened))
        .recover(e -> {
          if (policy == ConsolePolicy.Recording.REQUIRED) {
            joined.socket().close();
            return Future.failedFuture(new ConsoleRefusal(CloseReason.RECORDING_FAILED,
                "the recording cannot start: " + e.getMessage()));
          }
          log.warn("console req={} desktop={} goes on unrecorded: the recording cannot start: {}", requestId,
              joined.target().desktopId(), e.getMessage());
          return Future.succeededFuture(joined);
        });
  }

  private void refuse(ServerWebSocket ws, String requestId, Throwable cause) {
    CloseReason reason;
    if (cause instanceof ConsoleRefusal refusal) {
      reason = refusal.reason();
      log.info("console req={} refused: {} ({})", requestId, reason.text(), refusal.getMessage());
    } else {
      reason = CloseReason.INTERNAL;
      log.error("console req={} failed", requestId, cause);
    }
    metrics.sessionRefused(reason.label());
    ws.close(reason.code(), reason.text());
  }

  /** The token from {@code ?token=}, else the first {@code Sec-WebSocket-Protocol} entry shaped like one. */
  private String tokenOf(HttpServerRequest req) {
    String fromQuery = req.getParam("token");
    if (fromQuery != null && !fromQuery.isEmpty()) {
      return fromQuery;
    }
    String offered = req.getHeader("Sec-WebSocket-Protocol");
    if (offered != null) {
      for (String entry : offered.split(",")) {
        if (tokens.looksLikeToken(entry.trim())) {
          return entry.trim();
        }
      }
    }
    return null;
  }
}
