package io.deskgate.cluster;

import static io.deskgate.store.Sql.update;

import io.deskgate.store.Database;
import io.deskgate.store.Outage;
import io.deskgate.store.Sql;
import io.vertx.core.Vertx;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The region's nodes, in the {@code nodes} table: this node's row is written at start and rewritten by
 * a heartbeat every third of {@code cluster.node_timeout_seconds} (draining flag and live session
 * count included), and deleted when the node stops cleanly. At each beat the node also marks as lost
 * any other node whose heartbeat is older than the timeout, and moves the consoles those held to the
 * history ({@link SessionLedger#moveLostSessions}). A node that finds itself marked lost (it was cut off
 * from the store) writes its live sessions again.
 */
public final class NodeRegistry {

  private static final Logger log = LoggerFactory.getLogger(NodeRegistry.class);
  public static final String UP = "up";
  public static final String LOST = "lost";

  /** A row of the node list. */
  public record Node(String name, String address, String version, long startedAt, long heartbeatAt, boolean draining,
                     int liveSessions, String status) {}

  private final Vertx vertx;
  private final Database db;
  private final String name;
  private final String address;
  private final long timeoutMs;
  private final IntSupplier liveSessions;
  private final BooleanSupplier draining;
  private final SessionLedger ledger;
  private final long startedAt = System.currentTimeMillis();
  private final AtomicBoolean beating = new AtomicBoolean();
  private final Outage heartbeat =
      new Outage(log, "writing this node's heartbeat (the others may soon count it lost)");
  private long timer = -1;

  public NodeRegistry(Vertx vertx, Database db, String name, String address, int timeoutSeconds,
                      IntSupplier liveSessions, BooleanSupplier draining, SessionLedger ledger) {
    this.vertx = vertx;
    this.db = db;
    this.name = name;
    this.address = address;
    this.timeoutMs = TimeUnit.SECONDS.toMillis(timeoutSeconds);
    this.liveSessions = liveSessions;
    this.draining = draining;
    this.ledger = ledger;
  }

  /** The version this node runs: the jar's, or "dev" when run from classes. */
  public static String version() {
    String v = NodeRegistry.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  /** Blocks: writes this node's row, up; then beats on a timer. */
  public void join() {
    db.runNow(c -> {
      beat(c, System.currentTimeMillis());
      return null;
    });
    timer = vertx.setPeriodic(Math.max(1000, timeoutMs / 3), t -> beatNow());
  }

  /** Writes the row at once (when draining starts, so the list shows it without waiting for the timer). */
  public void beatNow() {
    if (!beating.compareAndSet(false, true)) {
      return;
    }
    db.transaction(c -> {
      long now = System.currentTimeMillis();
      boolean revived = beat(c, now);
      int lost = update(c, "UPDATE nodes SET status = ? WHERE status = ? AND heartbeat_at < ? AND name <> ?",
          LOST, UP, now - timeoutMs, name);
      int moved = lost > 0 ? SessionLedger.moveLostSessions(c) : 0;
      if (lost > 0) {
        log.warn("{} node(s) marked lost: no heartbeat for {} s; {} of their consoles moved to the history", lost,
            timeoutMs / 1000, moved);
      }
      return revived;
    }).onComplete(done -> {
      beating.set(false);
      if (done.failed()) {
        heartbeat.failed(done.cause());
        ledger.storeLost();
        return;
      }
      heartbeat.succeeded();
      if (done.result()) {
        log.warn("this node had been marked lost by the others; writing its live consoles again");
        ledger.storeLost();
      }
    });
  }

  /** Whether this node's last heartbeat reached the store. */
  public boolean storeReachable() {
    return !heartbeat.failing();
  }

  /** Writes this node's row; true when it had been marked lost or removed by another node. */
  private boolean beat(Connection c, long now) throws SQLException {
    Object[] values = {address, version(), startedAt, now, draining.getAsBoolean(), liveSessions.getAsInt(), UP, name};
    String set = "UPDATE nodes SET address = ?, version = ?, started_at = ?, heartbeat_at = ?, draining = ?, "
        + "live_sessions = ?, status = ? WHERE name = ?";
    if (update(c, set + " AND status = '" + UP + "'", values) == 1) {
      return false;
    }
    if (update(c, set, values) == 1) {
      return true;
    }
    update(c, "INSERT INTO nodes (address, version, started_at, heartbeat_at, draining, live_sessions, status, name) "
        + "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", values);
    return timer != -1;
  }

  /** Blocks: this node leaves the list (a clean stop). */
  public void leave() {
    if (timer != -1) {
      vertx.cancelTimer(timer);
    }
    try {
      db.runNow(c -> update(c, "DELETE FROM nodes WHERE name = ?", name));
    } catch (RuntimeException e) {
      log.warn("cannot remove this node from the node list: {}", e.getMessage());
    }
  }

  /** The node's previous heartbeat (a run that ended without leaving), if it has a row. */
  public static java.util.Optional<Long> lastHeartbeat(Connection c, String node) throws SQLException {
    return Sql.one(c, "SELECT heartbeat_at FROM nodes WHERE name = ?", rs -> rs.getLong(1), node);
  }

  /** Whether the node is up: its row exists and is not marked lost. */
  public static boolean isUp(Connection c, String node) throws SQLException {
    return Sql.one(c, "SELECT status FROM nodes WHERE name = ?", rs -> rs.getString(1), node)
        .map(UP::equals).orElse(false);
  }

  /** Every node of the region, by name. */
  public static List<Node> all(Connection c) throws SQLException {
    return Sql.list(c, "SELECT name, address, version, started_at, heartbeat_at, draining, live_sessions, status "
        + "FROM nodes ORDER BY name", rs -> new Node(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4),
        rs.getLong(5), rs.getBoolean(6), rs.getInt(7), rs.getString(8)));
  }
}
