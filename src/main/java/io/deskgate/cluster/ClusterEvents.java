package io.deskgate.cluster;

import io.deskgate.config.Config;
import io.deskgate.store.Database;
import io.vertx.core.Vertx;
import java.util.function.Consumer;

/**
 * What one node tells all nodes of a region (itself included): today, "close your consoles on this
 * desktop", when it stops, reboots or deletes it. On PostgreSQL this is LISTEN/NOTIFY, so every node
 * sharing the database hears it within milliseconds; on H2 (one node) it is a direct call.
 */
public interface ClusterEvents extends AutoCloseable {

  /** Asks every node to close its console sessions on the desktop. */
  void closeDesktop(String desktopId);

  /** What this node does when any node asks to close a desktop's consoles. */
  void onCloseDesktop(Consumer<String> handler);

  @Override
  void close();

  static ClusterEvents of(Vertx vertx, Database db, Config.Store store) {
    return db.isPostgres() ? new PostgresEvents(vertx, db, store) : new LocalEvents();
  }
}
