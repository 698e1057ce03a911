package io.deskgate.cluster;

import static io.deskgate.store.Sql.update;

import io.deskgate.proxy.Sessions;
import io.deskgate.store.Database;
import io.deskgate.store.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The region's session list: every node records its sessions in {@code console_sessions} as they open
 * and end (off the session's own path: a failed write is logged, the session goes on), and drops the
 * rows a crash of its own left behind when it starts. Reading the table gives the union of all nodes.
 */
public final class SessionLedger implements Sessions.Listener {

  private static final Logger log = LoggerFactory.getLogger(SessionLedger.class);

  /** A row of the list. */
  public record Entry(String sessionId, String nodeId, String desktopId, String userId, long openedAt) {}

  private final Database db;
  private final String nodeId;

  public SessionLedger(Database db, String nodeId) {
    this.db = db;
    this.nodeId = nodeId;
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
    db.run(c -> update(c, "INSERT INTO console_sessions (id, node_id, desktop_id, user_id, opened_at) VALUES (?, ?, ?, ?, ?)",
        s.id(), nodeId, s.desktopId(), s.userId(), s.openedAt()))
        .onFailure(e -> log.warn("cannot record console session {}: {}", s.id(), e.getMessage()));
  }

  @Override
  public void ended(Sessions.Live s) {
    db.run(c -> update(c, "DELETE FROM console_sessions WHERE id = ?", s.id()))
        .onFailure(e -> log.warn("cannot remove console session {}: {}", s.id(), e.getMessage()));
  }

  /** Every node's sessions on the desktops of a project. */
  public static List<Entry> ofProject(Connection c, String projectId) throws SQLException {
    return Sql.list(c, "SELECT s.id, s.node_id, s.desktop_id, s.user_id, s.opened_at FROM console_sessions s "
            + "JOIN desktops d ON d.id = s.desktop_id WHERE d.project_id = ? ORDER BY s.opened_at",
        rs -> new Entry(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getLong(5)), projectId);
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
