package io.deskgate.cluster;

import io.deskgate.config.Config;
import io.deskgate.store.Database;
import io.vertx.core.Vertx;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.function.Consumer;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cluster events over PostgreSQL's LISTEN/NOTIFY on channel {@code deskgate_events}: a notification is
 * published through the pool, and heard on one dedicated connection that a daemon thread polls (and
 * reopens when the database comes back after an outage).
 */
final class PostgresEvents implements ClusterEvents {

  private static final Logger log = LoggerFactory.getLogger(PostgresEvents.class);
  private static final String CHANNEL = "deskgate_events";
  private static final String CLOSE_DESKTOP = "close-desktop ";

  private final Vertx vertx;
  private final Database db;
  private final Config.Store store;
  private final Thread listener;
  private volatile Consumer<String> closeDesktop = id -> { };
  private volatile boolean running = true;

  PostgresEvents(Vertx vertx, Database db, Config.Store store) {
    this.vertx = vertx;
    this.db = db;
    this.store = store;
    this.listener = new Thread(this::listen, "deskgate-cluster-events");
    listener.setDaemon(true);
    listener.start();
  }

  @Override
  public void closeDesktop(String desktopId) {
    db.run(c -> {
      try (var ps = c.prepareStatement("SELECT pg_notify(?, ?)")) {
        ps.setString(1, CHANNEL);
        ps.setString(2, CLOSE_DESKTOP + desktopId);
        ps.execute();
      }
      return null;
    }).onFailure(e -> {
      log.warn("cannot tell the other nodes to close the consoles of desktop {}: {}", desktopId, e.getMessage());
      closeDesktop.accept(desktopId);
    });
  }

  @Override
  public void onCloseDesktop(Consumer<String> handler) {
    this.closeDesktop = handler;
  }

  private void listen() {
    while (running) {
      try (Connection c = connect(); Statement st = c.createStatement()) {
        st.execute("LISTEN " + CHANNEL);
        PGConnection pg = c.unwrap(PGConnection.class);
        while (running) {
          PGNotification[] notifications = pg.getNotifications(500);
          if (notifications == null) {
            continue;
          }
          for (PGNotification n : notifications) {
            String payload = n.getParameter();
            if (payload.startsWith(CLOSE_DESKTOP)) {
              String desktopId = payload.substring(CLOSE_DESKTOP.length());
              vertx.runOnContext(v -> closeDesktop.accept(desktopId));
            }
          }
        }
      } catch (SQLException e) {
        if (running) {
          log.warn("cluster events: lost the listening connection ({}); reconnecting", e.getMessage());
          sleep(1000);
        }
      }
    }
  }

  private Connection connect() throws SQLException {
    Properties props = new Properties();
    if (store.username() != null) {
      props.setProperty("user", store.username());
    }
    if (store.password() != null) {
      props.setProperty("password", store.password());
    }
    props.setProperty("connectTimeout", String.valueOf(Math.max(1, store.connectionTimeoutMs() / 1000)));
    return DriverManager.getConnection(store.jdbcUrl(), props);
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    running = false;
    listener.interrupt();
  }
}
