package io.deskgate.cluster;

import io.deskgate.config.Config;
import io.deskgate.store.Database;
import io.vertx.core.Vertx;
import java.util.function.Consumer;

/**
 * What one node tells all nodes of a region (itself included): "close your consoles on this desktop"
 * (it was stopped, rebooted or deleted), "forget this IAM token" (it was revoked), "end this console"
 * (an administrator ended it) and "a job waits for this node" (or for any, {@code *}). On PostgreSQL this
 * is LISTEN/NOTIFY, so every node sharing the database hears it within milliseconds; on H2 (one node)
 * it is a direct call.
 */
public interface ClusterEvents extends AutoCloseable {

  /** The kinds of event, each about one subject (a desktop id, a token hash). */
  enum Kind {
    CLOSE_DESKTOP("close-desktop"),
    FORGET_TOKEN("forget-token"),
    /** Subject: the session id and the id of the user who ended it, separated by a space. */
    END_SESSION("end-session"),
    /** Subject: the node that is to run the job's tasks, or {@code *} when any node may. */
    JOB_READY("job-ready");

    final String wire;

    Kind(String wire) {
      this.wire = wire;
    }
  }

  /** Tells every node, this one too. */
  void publish(Kind kind, String subject);

  /** What this node does when any node publishes {@code kind}. */
  void on(Kind kind, Consumer<String> handler);

  @Override
  void close();

  static ClusterEvents of(Vertx vertx, Database db, Config.Store store) {
    return db.isPostgres() ? new PostgresEvents(vertx, db, store) : new LocalEvents();
  }
}
