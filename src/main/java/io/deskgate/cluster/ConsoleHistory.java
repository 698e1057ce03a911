package io.deskgate.cluster;

import static io.deskgate.store.Sql.one;
import static io.deskgate.store.Sql.update;

import io.deskgate.store.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/** Reading and purging {@code console_history} (written by {@link SessionLedger}). */
public final class ConsoleHistory {

  private ConsoleHistory() {}

  /** An ended console. Bytes are null when its node went away with it. */
  public record Row(String sessionId, String desktopId, String userId, String clientAddress, String userAgent,
                    String node, String mode, long openedAt, long closedAt, Long bytesToBrowser, Long bytesToDesktop,
                    String closeReason, String endedBy) {}

  /** Which rows a list call wants; null values do not filter; {@code since}/{@code until} bound closed_at. */
  public record Filter(String desktopId, String userId, Long since, Long until) {}

  /** One page and how many rows match in all. */
  public record Page(long total, List<Row> rows) {}

  /** The project's ended consoles that match, newest first, {@code limit} of them from {@code offset}. */
  public static Page list(Connection c, String projectId, Filter filter, int offset, int limit) throws SQLException {
    Sql.Where where = new Sql.Where("project_id", projectId).equal("desktop_id", filter.desktopId())
        .equal("user_id", filter.userId()).atLeast("closed_at", filter.since()).below("closed_at", filter.until());
    long total = one(c, "SELECT COUNT(*) FROM console_history " + where, rs -> rs.getLong(1), where.args()).orElse(0L);
    List<Row> rows = Sql.list(c, "SELECT session_id, desktop_id, user_id, client_address, user_agent, node_name, mode, "
            + "opened_at, closed_at, bytes_to_browser, bytes_to_desktop, close_reason, ended_by FROM console_history "
            + where + " ORDER BY closed_at DESC, session_id LIMIT ? OFFSET ?",
        rs -> new Row(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
            rs.getString(6), rs.getString(7), rs.getLong(8), rs.getLong(9), rs.getObject(10, Long.class),
            rs.getObject(11, Long.class), rs.getString(12), rs.getString(13)), where.args(limit, offset));
    return new Page(total, rows);
  }

  /** Deletes the rows of consoles closed before {@code cutoff}; returns how many. */
  public static int purge(Connection c, long cutoff) throws SQLException {
    return update(c, "DELETE FROM console_history WHERE closed_at < ?", cutoff);
  }
}
