package io.deskgate.cluster;

import static io.deskgate.store.Sql.update;

import io.deskgate.proxy.Sessions;
import io.deskgate.store.Database;
import io.deskgate.store.Sql;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The region's consoles, live and past. Every node records its sessions in {@code console_sessions} as
 * they open, and when one ends moves it, in one transaction, to {@code console_history} with its close
 * reason, bytes and who ended it (off the session's own path: a failed write is logged, the session
 * goes on). A node's rows of a previous run go to the history as {@code node_restarted} when it starts;
 * rows of a node found lost go there as {@code node_lost} ({@link NodeRegistry}).
 * When a write fails (the store is down), the node's rows are written again from its live sessions
 * every {@link #RESYNC_EVERY_MS}, with the history rows held meanwhile (at most {@link #HELD_HISTORY_LIMIT}),
 * until that succeeds, so the list and {@code login_status} are true again within seconds of the
 * store's return.
 */
public final class SessionLedger implements Sessions.Listener {

  private static final Logger log = LoggerFactory.getLogger(SessionLedger.class);

  /** A row of the live list. */
  public record Entry(String sessionId, String nodeId, String desktopId, String userId, long openedAt,
                      String clientAddress, String userAgent, String mode) {}

  static final long RESYNC_EVERY_MS = 2000;
  static final int HELD_HISTORY_LIMIT = 10_000;
  private static final String HISTORY_COLUMNS = "session_id, project_id, desktop_id, user_id, client_address, "
      + "user_agent, node_name, mode, opened_at, closed_at, bytes_to_browser, bytes_to_desktop, close_reason, ended_by";
  /** Live rows into the history, ended by their node's going away: parameters closed_at, reason, then the WHERE's. */
  private static final String LIVE_TO_HISTORY = "INSERT INTO console_history (" + HISTORY_COLUMNS + ") "
      + "SELECT s.id, COALESCE(s.project_id, d.project_id, ''), s.desktop_id, s.user_id, s.client_address, "
      + "s.user_agent, s.node_id, s.mode, s.opened_at, %s, NULL, NULL, ?, NULL FROM console_sessions s "
      + "LEFT JOIN desktops d ON d.id = s.desktop_id WHERE %s "
      + "AND NOT EXISTS (SELECT 1 FROM console_history h WHERE h.session_id = s.id)";

  private record Ending(Sessions.Live session, Sessions.Ended how) {}

  private final Vertx vertx;
  private final Database db;
  private final String nodeId;
  private final Supplier<List<Sessions.Live>> live;
  /** Set while the table may disagree with this node's live sessions; then only a re-synchronisation writes. */
  private final AtomicBoolean stale = new AtomicBoolean();
  /**
   * Counts sessions opened and ended, before looking at {@link #stale}: a re-synchronisation that sees it
   * move while it ran runs again, so a session skipped while stale is never left out.
   */
  private final AtomicLong changes = new AtomicLong();
  /** The inserts of live rows still on their way to the store, by session id. */
  private final Map<String, Future<?>> inserting = new ConcurrentHashMap<>();
  /** History rows of sessions that ended while the store could not take them. */
  private final Deque<Ending> held = new ConcurrentLinkedDeque<>();
  private final AtomicLong heldCount = new AtomicLong();

  public SessionLedger(Vertx vertx, Database db, String nodeId, Supplier<List<Sessions.Live>> live) {
    this.vertx = vertx;
    this.db = db;
    this.nodeId = nodeId;
    this.live = live;
  }

  /** Blocks: moves this node's sessions of a previous run to the history (they ended with it). */
  public void clearOwn() {
    int stale = db.transactionNow(c -> {
      long closedAt = NodeRegistry.lastHeartbeat(c, nodeId).orElse(System.currentTimeMillis());
      update(c, LIVE_TO_HISTORY.formatted("?", "s.node_id = ?"), closedAt, "node_restarted", nodeId);
      return update(c, "DELETE FROM console_sessions WHERE node_id = ?", nodeId);
    });
    if (stale > 0) {
      log.info("{} console sessions of this node's previous run moved to the history", stale);
    }
  }

  /** Moves the live rows of nodes marked lost to the history; returns how many. */
  static int moveLostSessions(Connection c) throws SQLException {
    String ofLost = "s.node_id IN (SELECT name FROM nodes WHERE status = '" + NodeRegistry.LOST + "')";
    update(c, LIVE_TO_HISTORY.formatted("(SELECT n.heartbeat_at FROM nodes n WHERE n.name = s.node_id)", ofLost),
        "node_lost");
    return update(c, "DELETE FROM console_sessions s WHERE " + ofLost);
  }

  @Override
  public void opened(Sessions.Live s) {
    changes.incrementAndGet();
    if (stale.get()) {
      return;
    }
    Future<Integer> inserted = db.run(c -> insert(c, s));
    inserting.put(s.id(), inserted);
    inserted.onComplete(done -> inserting.remove(s.id(), inserted))
        .onFailure(e -> storeLost("cannot record console session " + s.id(), e));
  }

  @Override
  public void ended(Sessions.Live s, Sessions.Ended how) {
    changes.incrementAndGet();
    if (stale.get()) {
      hold(new Ending(s, how));
      return;
    }
    // after its row is in: a short console's end must not overtake its start on another store thread
    Future<?> recorded = inserting.getOrDefault(s.id(), Future.succeededFuture());
    recorded.transform(inserted -> db.transaction(c -> {
      writeHistory(c, s, how);
      return update(c, "DELETE FROM console_sessions WHERE id = ?", s.id());
    })).onFailure(e -> {
      hold(new Ending(s, how));
      storeLost("cannot move console session " + s.id() + " to the history", e);
    });
  }

  private void hold(Ending ending) {
    held.addLast(ending);
    if (heldCount.incrementAndGet() > HELD_HISTORY_LIMIT && held.pollFirst() != null) {
      heldCount.decrementAndGet();
      log.warn("console history: more than {} ended consoles wait for the store; the oldest is dropped",
          HELD_HISTORY_LIMIT);
    }
  }

  private static void writeHistory(Connection c, Sessions.Live s, Sessions.Ended how) throws SQLException {
    // a row written for this session while its node was counted lost gives way to what really happened
    update(c, "DELETE FROM console_history WHERE session_id = ?", s.id());
    update(c, "INSERT INTO console_history (" + HISTORY_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        s.id(), s.projectId(), s.desktopId(), s.userId(), s.clientAddress(), s.userAgent(), s.nodeId(), s.mode(),
        s.openedAt(), how.closedAt(), how.bytesToBrowser(), how.bytesToDesktop(), how.reason(), how.endedBy());
  }

  private int insert(Connection c, Sessions.Live s) throws SQLException {
    return update(c, "INSERT INTO console_sessions (id, node_id, project_id, desktop_id, user_id, opened_at, "
            + "client_address, user_agent, mode) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", s.id(), nodeId, s.projectId(),
        s.desktopId(), s.userId(), s.openedAt(), s.clientAddress(), s.userAgent(), s.mode());
  }

  /** The store failed a write or missed this node: its rows are written again once it takes them. */
  public void storeLost() {
    storeLost(null, null);
  }

  private void storeLost(String what, Throwable e) {
    if (stale.compareAndSet(false, true)) {
      if (what != null) {
        log.warn("{}: {}; this node's sessions will be written again every {} s until the store takes them", what,
            e.getMessage(), RESYNC_EVERY_MS / 1000);
      }
      vertx.setTimer(what == null ? 1 : RESYNC_EVERY_MS, t -> resync());
    }
  }

  private void resync() {
    long seen = changes.get();
    List<Ending> ended = new ArrayList<>(held);
    db.transaction(c -> {
      for (Ending e : ended) {
        writeHistory(c, e.session(), e.how());
      }
      update(c, "DELETE FROM console_sessions WHERE node_id = ?", nodeId);
      List<Sessions.Live> now = live.get();
      for (Sessions.Live s : now) {
        insert(c, s);
      }
      return now.size();
    }).onComplete(done -> {
      if (done.failed()) {
        vertx.setTimer(RESYNC_EVERY_MS, t -> resync());
        return;
      }
      for (int i = 0; i < ended.size(); i++) {
        held.pollFirst();
        heldCount.decrementAndGet();
      }
      stale.set(false);
      if (changes.get() != seen) {
        stale.set(true);
        resync();
        return;
      }
      log.info("console sessions of this node written again: {} live, {} ended meanwhile", done.result(),
          ended.size());
    });
  }

  /** Every node's sessions on the desktops of a project. */
  public static List<Entry> ofProject(Connection c, String projectId) throws SQLException {
    return Sql.list(c, "SELECT s.id, s.node_id, s.desktop_id, s.user_id, s.opened_at, s.client_address, s.user_agent, "
            + "s.mode FROM console_sessions s JOIN desktops d ON d.id = s.desktop_id WHERE d.project_id = ? "
            + "ORDER BY s.opened_at",
        SessionLedger::entry, projectId);
  }

  /** A live session on a desktop of the project. */
  public static Optional<Entry> find(Connection c, String projectId, String sessionId) throws SQLException {
    return Sql.one(c, "SELECT s.id, s.node_id, s.desktop_id, s.user_id, s.opened_at, s.client_address, s.user_agent, "
        + "s.mode FROM console_sessions s JOIN desktops d ON d.id = s.desktop_id WHERE d.project_id = ? AND s.id = ?",
        SessionLedger::entry, projectId, sessionId);
  }

  private static Entry entry(ResultSet rs) throws SQLException {
    return new Entry(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getLong(5),
        rs.getString(6), rs.getString(7), rs.getString(8));
  }

  /** Which of the desktops have a console open on any node. */
  public static Set<String> connected(Connection c, Collection<String> desktopIds) throws SQLException {
    if (desktopIds.isEmpty()) {
      return Set.of();
    }
    return new HashSet<>(Sql.list(c, "SELECT DISTINCT desktop_id FROM console_sessions WHERE desktop_id IN ("
        + Sql.placeholders(desktopIds.size()) + ")", rs -> rs.getString(1),
        desktopIds.toArray()));
  }
}
