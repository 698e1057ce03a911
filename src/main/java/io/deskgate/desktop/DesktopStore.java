package io.deskgate.desktop;

import static io.deskgate.store.Sql.one;
import static io.deskgate.store.Sql.update;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import java.util.regex.Pattern;

/** Desktops in the store. */
public final class DesktopStore {

  /** Desktop ids: 1-255 characters, letters, digits, '-', '_' and '.'. */
  public static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,254}");

  private static final String COLUMNS = "SELECT id, project_id, computer_name, user_name, status, task_status, "
      + "console_host, console_port, console_password_enc, created_at FROM desktops ";

  /** The desktop, if it exists in that project. */
  public Optional<Desktop> find(Connection c, String projectId, String desktopId) throws SQLException {
    return one(c, COLUMNS + "WHERE id = ? AND project_id = ?", DesktopStore::desktop, desktopId, projectId);
  }

  public Optional<Desktop> find(Connection c, String desktopId) throws SQLException {
    return one(c, COLUMNS + "WHERE id = ?", DesktopStore::desktop, desktopId);
  }

  /**
   * Creates the desktop, or updates its name, user and console endpoint when it exists; a new desktop
   * starts {@code ACTIVE}, an existing one keeps its status.
   */
  public void upsert(Connection c, String projectId, String id, String computerName, String userName,
                     Desktop.ConsoleEndpoint console) throws SQLException {
    long now = System.currentTimeMillis();
    int updated = update(c, "UPDATE desktops SET project_id = ?, computer_name = ?, user_name = ?, console_host = ?, "
            + "console_port = ?, console_password_enc = ?, updated_at = ? WHERE id = ?",
        projectId, computerName, userName, console.host(), console.port(), console.passwordSealed(), now, id);
    if (updated == 0) {
      update(c, "INSERT INTO desktops (id, project_id, computer_name, user_name, status, task_status, console_host, "
              + "console_port, console_password_enc, created_at, updated_at) VALUES (?, ?, ?, ?, ?, '', ?, ?, ?, ?, ?)",
          id, projectId, computerName, userName, Desktop.ACTIVE, console.host(), console.port(),
          console.passwordSealed(), now, now);
    }
  }

  public boolean setStatus(Connection c, String desktopId, String status, String taskStatus) throws SQLException {
    return update(c, "UPDATE desktops SET status = ?, task_status = ?, updated_at = ? WHERE id = ?",
        status, taskStatus, System.currentTimeMillis(), desktopId) == 1;
  }

  private static Desktop desktop(ResultSet rs) throws SQLException {
    return new Desktop(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
        rs.getString(6), new Desktop.ConsoleEndpoint(rs.getString(7), rs.getInt(8), rs.getString(9)), rs.getLong(10));
  }
}
