package io.deskgate.proxy;

import io.deskgate.recording.Recorder;
import io.deskgate.web.Metrics;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.net.NetSocket;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The live console sessions of this node: started by {@link ConsoleProxy}, swept for idleness by one
 * periodic timer (not one timer per session), all closed with a reason on shutdown.
 */
public final class Sessions {

  /** A live session as others may record it: {@code id} is unique across nodes and their restarts. */
  public record Live(String id, String nodeId, String projectId, String desktopId, String userId, long openedAt,
                     String clientAddress, String userAgent, String mode) {}

  /**
   * How a session ended: when, the bytes it relayed each way, the {@link CloseReason#label}, and the
   * user who ended it through the API (null otherwise).
   */
  public record Ended(long closedAt, long bytesToBrowser, long bytesToDesktop, String reason, String endedBy) {}

  /** Told of every session that opens and ends on this node (the cluster's session list and history). */
  public interface Listener {
    void opened(Live session);

    void ended(Live session, Ended how);
  }

  private Listener listener = new Listener() {
    @Override
    public void opened(Live session) {
    }

    @Override
    public void ended(Live session, Ended how) {
    }
  };

  private final Vertx vertx;
  private final Metrics metrics;
  private final String nodeId;
  /** Starts every session id of this run: the node and when it started, so ids never repeat across restarts. */
  private final String runPrefix;
  private final long handshakeTimeoutMs;
  private final long idleTimeoutNanos;
  private final int maxMessageBytes;
  private final int pingLimit;
  private final int maxClipboardBytes;
  private final boolean nettyPump;
  private final Map<Long, Session> live = new ConcurrentHashMap<>();
  private final AtomicLong ids = new AtomicLong();
  /** Desktop connections of ended sessions still passing on what the browser sent last. */
  private final Set<Channel> lingering = ConcurrentHashMap.newKeySet();
  private volatile boolean stopping;
  private final long sweeper;

  public Sessions(Vertx vertx, Metrics metrics, String nodeId, int handshakeTimeoutSeconds, int idleTimeoutSeconds,
                  int maxMessageBytes, int pingLimit, int maxClipboardBytes, boolean nettyPump) {
    this.vertx = vertx;
    this.nettyPump = nettyPump;
    this.maxClipboardBytes = maxClipboardBytes;
    this.maxMessageBytes = maxMessageBytes;
    this.pingLimit = pingLimit;
    this.metrics = metrics;
    this.nodeId = nodeId;
    this.runPrefix = nodeId + ":" + Long.toString(System.currentTimeMillis(), 36) + ":";
    this.handshakeTimeoutMs = TimeUnit.SECONDS.toMillis(handshakeTimeoutSeconds);
    this.idleTimeoutNanos = TimeUnit.SECONDS.toNanos(idleTimeoutSeconds);
    long sweepEveryMs = idleTimeoutSeconds == 0 ? 0 : Math.max(250, Math.min(10_000, idleTimeoutSeconds * 1000L / 10));
    this.sweeper = sweepEveryMs == 0 ? -1 : vertx.setPeriodic(sweepEveryMs, t -> sweepIdle());
    metrics.liveSessions(live::size);
  }

  public void listener(Listener listener) {
    this.listener = listener;
  }

  /** A new session's number on this node; {@link #publicId} gives the region its id. */
  long newId() {
    return ids.incrementAndGet();
  }

  void start(long id, ServerWebSocket ws, Channel browserChannel, NetSocket vnc, TokenLookup.Target target,
             DesktopHandshake.Ready desktop, Recorder.Opened recording, String requestId, String client,
             String userAgent, Context context, long requestedAt) {
    List<Session> others = live.values().stream().filter(s -> s.target.desktopId().equals(target.desktopId())).toList();
    if (target.policy().viewers() == ConsolePolicy.Viewers.EXCLUSIVE && !others.isEmpty()) {
      vnc.close();
      if (recording != null) {
        recording.recording().end(CloseReason.CONSOLE_BUSY.label());
      }
      metrics.sessionRefused(CloseReason.CONSOLE_BUSY.label());
      ws.close(CloseReason.CONSOLE_BUSY.code(), CloseReason.CONSOLE_BUSY.text());
      return;
    }
    if (target.policy().viewers() == ConsolePolicy.Viewers.TAKEOVER) {
      others.forEach(s -> s.end(CloseReason.TAKEN_OVER));
    }
    Session session = new Session(id, ws, browserChannel, vnc, target, desktop, recording, client, userAgent, this,
        context);
    live.put(session.id, session);
    metrics.sessionOpened();
    session.start(requestId, handshakeTimeoutMs, requestedAt);
    listener.opened(session.live());
  }

  void ended(Session session, CloseReason reason, Ended how) {
    live.remove(session.id);
    metrics.sessionClosed(reason.label());
    listener.ended(session.live(), how);
  }

  /** The guard a session puts in its browser connection, reporting faults to {@code onFault}. */
  BrowserGuard browserGuard(Consumer<CloseReason> onFault) {
    return new BrowserGuard(maxMessageBytes, pingLimit, System::nanoTime, onFault);
  }

  /** Whether the relay runs on the channels underneath Vert.x, both ways ({@code console.pump: netty}). */
  boolean nettyPump() {
    return nettyPump;
  }

  /** The longest cut text (clipboard) either side may send in one message. */
  int maxClipboardBytes() {
    return maxClipboardBytes;
  }

  /** The deadline of each RFB handshake: Deskgate's with the desktop, and the browser's with Deskgate. */
  long handshakeTimeoutMs() {
    return handshakeTimeoutMs;
  }

  Metrics metrics() {
    return metrics;
  }

  String nodeId() {
    return nodeId;
  }

  /** The id the region knows a session of this node by. */
  String publicId(long sessionId) {
    return runPrefix + sessionId;
  }

  /** For each live session, the event loops of its two connections. */
  List<List<EventLoop>> loops() {
    return live.values().stream().map(Session::loops).toList();
  }

  /** The live sessions of this node, as the cluster's session list records them. */
  public List<Live> all() {
    return live.values().stream().map(Session::live).toList();
  }

  public int count() {
    return live.size();
  }

  /** Closes this node's sessions on a desktop, telling each browser why. */
  public void closeDesktop(String desktopId, CloseReason reason) {
    live.values().stream().filter(s -> s.target.desktopId().equals(desktopId)).forEach(s -> s.end(reason));
  }

  /**
   * Ends the session of this node with that public id, if it is live here, telling the browser that an
   * administrator ended it; {@code endedBy} goes to its history row.
   */
  public boolean endSession(String sessionId, String endedBy) {
    if (!sessionId.startsWith(runPrefix)) {
      return false;
    }
    try {
      Session s = live.get(Long.parseLong(sessionId.substring(runPrefix.length())));
      if (s == null) {
        return false;
      }
      s.end(CloseReason.ENDED_BY_ADMIN, endedBy);
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /** Closes every live session, telling each browser why. */
  public void closeAll(CloseReason reason) {
    stopping = true;
    vertx.cancelTimer(sweeper);
    live.values().forEach(s -> s.end(reason));
    lingering.forEach(Sessions::cutOff);
  }

  /**
   * Closes a connection now, whatever it has not yet sent: on the channel's head, past Vert.x's handler,
   * whose close waits for pending writes to leave, which a peer that never reads never lets them do (a
   * node stopping would wait forever).
   */
  private static void cutOff(Channel channel) {
    ChannelHandlerContext first = channel.pipeline().firstContext();
    if (first != null) {
      first.close();
    } else {
      channel.close();
    }
  }

  /**
   * Closes a desktop connection once {@code sent} completes (what was written to it has left), cut off
   * after {@code limitMs} at the latest, and at once by {@link #closeAll}.
   */
  void closeWhenSent(Channel desktop, Future<Void> sent, long limitMs) {
    if (!sent.isComplete()) {
      lingering.add(desktop);
      ScheduledFuture<?> limit = desktop.eventLoop().schedule(() -> cutOff(desktop), limitMs, TimeUnit.MILLISECONDS);
      desktop.closeFuture().addListener(f -> {
        lingering.remove(desktop);
        limit.cancel(false);
      });
      if (stopping) {
        // closeAll may have gone over the set before this one joined it
        cutOff(desktop);
      }
    }
    sent.onComplete(done -> cutOff(desktop));
  }

  private void sweepIdle() {
    long now = System.nanoTime();
    for (Session s : live.values()) {
      if (s.idleNanos(now) >= idleTimeoutNanos) {
        s.end(CloseReason.IDLE);
      }
    }
  }
}
