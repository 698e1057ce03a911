package io.deskgate.cluster;

import static io.deskgate.store.Sql.update;

import io.deskgate.proxy.Sessions;
import io.deskgate.store.Database;
import io.deskgate.store.Sql;
import io.vertx.core.Vertx;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The region's session list: every node records its sessions in {@code console_sessions} as they open
 * and end (off the session's own path: a failed write is logged, the session goes on), and drops the
 * rows a crash of its own left behind when it starts. Reading the table gives the union of all nodes.
 * When a write fails (the store is down), the node's rows are re-synchronised from its live sessions
 * every {@link #RESYNC_EVERY_MS} until that succeeds, so the list and {@code login_status} are true
 * again within seconds of the store's return.
 */
public final class SessionLedger implements Sessions.Listener {

  private static final Logger log = LoggerFactory.getLogger(SessionLedger.class);

  /** A row of the list. */
  public record Entry(String sessionId, String nodeId, String desktopId, String userId, long openedAt,
                      String clientAddress, String mode) {}

  static final long RESYNC_EVERY_MS = 2000;

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

  public SessionLedger(Vertx vertx, Database db, String nodeId, Supplier<List<Sessions.Live>> live) {
    this.vertx = vertx;
    this.db = db;
    this.nodeId = nodeId;
    this.live = live;
  }

  /** Forgets this node's sessions of a previous run (they ended with it). */
  public void clearOwn() {
    int stale = db.runNow(c -> update(c, "DELETE FROM console_sessions WHERE node_id = ?", nodeId));
    if (stale > 0) {
      log.info("forgot {} console sessions of this node's previous run", stale);
    }
  }

  @Override
  public void opened(Sessions.Live s) {
    changes.incrementAndGet();
    if (stale.get()) {
      return;
    }
    db.run(c -> insert(c, s)).onFailure(e -> becameStale("cannot record console session " + s.id(), e));
  }

  @Override
  public void ended(Sessions.Live s) {
    changes.incrementAndGet();
    if (stale.get()) {
      return;
    }
    db.run(c -> update(c, "DELETE FROM console_sessions WHERE id = ?", s.id()))
        .onFailure(e -> becameStale("cannot remove console session " + s.id(), e));
  }

  private int insert(Connection c, Sessions.Live s) throws SQLException {
    return update(c, "INSERT INTO console_sessions (id, node_id, desktop_id, user_id, opened_at, client_address, mode) "
        + "VALUES (?, ?, ?, ?, ?, ?, ?)", s.id(), nodeId, s.desktopId(), s.userId(), s.openedAt(), s.clientAddress(),
        s.mode());
  }

  private void becameStale(String what, Throwable e) {
    if (stale.compareAndSet(false, true)) {
      log.warn("{}: {}; this node's sessions will be written again every {} s until the store takes them", what,
          e.getMessage(), RESYNC_EVERY_MS / 1000);
      vertx.setTimer(RESYNC_EVERY_MS, t -> resync());
    }
  }

  private void resync() {
    long seen = changes.get();
    db.transaction(c -> {
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
      stale.set(false);
      if (changes.get() != seen) {
        stale.set(true);
        resync();
        return;
      }
      log.info("console sessions of this node written again after a store outage: {} live", done.result());
    });
  }

  /** Every node's sessions on the desktops of a project. */
  public static List<Entry> ofProject(Connection c, String projectId) throws SQLException {
    return Sql.list(c, "SELECT s.id, s.node_id, s.desktop_id, s.user_id, s.opened_at, s.client_address, s.mode "
            + "FROM console_sessions s JOIN desktops d ON d.id = s.desktop_id WHERE d.project_id = ? ORDER BY s.opened_at",
        rs -> new Entry(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getLong(5),
            rs.getString(6), rs.getString(7)), projectId);
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
