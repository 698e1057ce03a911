package io.deskgate.recording;

import static io.deskgate.store.Sql.one;
import static io.deskgate.store.Sql.update;

import io.deskgate.store.Database;
import io.deskgate.store.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * The region's recordings in {@code console_recordings}: a row when a recording opens, completed when
 * it ends, so that any node lists them. Blocking calls, made on the recorder's threads.
 */
public final class RecordingCatalog {

  public static final String RECORDING = "recording";
  public static final String COMPLETE = "complete";
  public static final String TRUNCATED = "truncated";

  /** Whose console a recording holds. */
  public record Subject(String sessionId, String projectId, String desktopId, String userId) {}

  /** A row of the list. */
  public record Entry(String id, String sessionId, String desktopId, String userId, String node, String location,
                     boolean keysRecorded, String status, long startedAt, Long endedAt, Long sizeBytes,
                     String closeReason) {}

  /** Which recordings a list call wants; null values do not filter; since/until bound started_at. */
  public record Filter(String desktopId, String userId, Long since, Long until) {}

  public record Page(long total, List<Entry> entries) {}

  private static final String COLUMNS = "SELECT id, session_id, desktop_id, user_id, node_name, location, "
      + "keys_recorded, status, started_at, ended_at, size_bytes, close_reason FROM console_recordings ";

  private final Database db;
  private final String node;

  public RecordingCatalog(Database db, String node) {
    this.db = db;
    this.node = node;
  }

  void opened(String id, Subject subject, String location, boolean keys) {
    db.runNow(c -> update(c, "INSERT INTO console_recordings (id, session_id, project_id, desktop_id, user_id, "
            + "node_name, location, keys_recorded, status, started_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", id,
        subject.sessionId(), subject.projectId(), subject.desktopId(), subject.userId(), node, location, keys, RECORDING,
        System.currentTimeMillis()));
  }

  void ended(String id, boolean complete, long size, String closeReason, String location) {
    db.runNow(c -> update(c, "UPDATE console_recordings SET status = ?, ended_at = ?, size_bytes = ?, "
        + "close_reason = ?, location = ? WHERE id = ?", complete ? COMPLETE : TRUNCATED, System.currentTimeMillis(), size, closeReason,
        location, id));
  }

  /** Blocks: this node's recordings still "recording" were cut short when it stopped; returns how many. */
  public int endInterrupted() {
    return db.runNow(c -> update(c, "UPDATE console_recordings SET status = ?, close_reason = ? WHERE node_name = ? "
        + "AND status = ?", TRUNCATED, "node_restarted", node, RECORDING));
  }

  /** Forgets this node's recordings, and those in object storage, started before {@code cutoff} (purged). */
  void forgetBefore(long cutoff) {
    db.runNow(c -> update(c, "DELETE FROM console_recordings WHERE (node_name = ? OR location LIKE 's3://%') "
        + "AND started_at < ?", node, cutoff));
  }

  /** The project's recordings that match, newest first. */
  public static Page list(Connection c, String projectId, Filter filter, int offset, int limit) throws SQLException {
    Sql.Where where = new Sql.Where("project_id", projectId).equal("desktop_id", filter.desktopId())
        .equal("user_id", filter.userId()).atLeast("started_at", filter.since()).below("started_at", filter.until());
    long total = one(c, "SELECT COUNT(*) FROM console_recordings " + where, rs -> rs.getLong(1), where.args())
        .orElse(0L);
    return new Page(total, Sql.list(c, COLUMNS + where + " ORDER BY started_at DESC, id LIMIT ? OFFSET ?",
        RecordingCatalog::entry, where.args(limit, offset)));
  }

  /** A recording of the project. */
  public static Optional<Entry> find(Connection c, String projectId, String id) throws SQLException {
    return one(c, COLUMNS + "WHERE project_id = ? AND id = ?", RecordingCatalog::entry, projectId, id);
  }

  private static Entry entry(java.sql.ResultSet rs) throws SQLException {
    return new Entry(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
        rs.getString(6), rs.getBoolean(7), rs.getString(8), rs.getLong(9), rs.getObject(10, Long.class),
        rs.getObject(11, Long.class), rs.getString(12));
  }
}
