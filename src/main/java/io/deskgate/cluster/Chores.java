package io.deskgate.cluster;

import static io.deskgate.store.Sql.update;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Chores one node of the region does at a time, such as purges: a node takes its turn when its
 * {@code UPDATE} moves the chore's {@code next_run_at} on; the others' find it already moved.
 */
public final class Chores {

  private Chores() {}

  /** Whether this node takes the chore's turn now; if so, the next turn is {@code everyMs} away. */
  public static boolean takeTurn(Connection c, String chore, long now, long everyMs) throws SQLException {
    if (update(c, "UPDATE cluster_chores SET next_run_at = ? WHERE chore = ? AND next_run_at <= ?", now + everyMs,
        chore, now) == 1) {
      return true;
    }
    // a chore never run: the first node to insert its row takes the turn
    return update(c, "INSERT INTO cluster_chores (chore, next_run_at) SELECT ?, ? WHERE NOT EXISTS "
        + "(SELECT 1 FROM cluster_chores WHERE chore = ?)", chore, now + everyMs, chore) == 1;
  }
}
