package io.deskgate.cluster;

import io.deskgate.config.Config;
import io.deskgate.store.Database;
import io.deskgate.store.Outage;
import io.vertx.core.Vertx;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
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

  private final Vertx vertx;
  private final Database db;
  private final Config.Store store;
  private final Thread listener;
  private final Map<Kind, Consumer<String>> handlers = new ConcurrentHashMap<>();
  private volatile boolean running = true;
  private final Outage listening = new Outage(log, "listening for cluster events");

  PostgresEvents(Vertx vertx, Database db, Config.Store store) {
    this.vertx = vertx;
    this.db = db;
    this.store = store;
    this.listener = new Thread(this::listen, "deskgate-cluster-events");
    listener.setDaemon(true);
    listener.start();
  }

  @Override
  public void publish(Kind kind, String subject) {
    db.run(c -> {
      try (var ps = c.prepareStatement("SELECT pg_notify(?, ?)")) {
        ps.setString(1, CHANNEL);
        ps.setString(2, kind.wire + " " + subject);
        ps.execute();
      }
      return null;
    }).onFailure(e -> {
      log.warn("cannot tell the other nodes {} {}: {}", kind.wire, subject, e.getMessage());
      deliver(kind, subject);
    });
  }

  @Override
  public void on(Kind kind, Consumer<String> handler) {
    handlers.put(kind, handler);
  }

  private void deliver(Kind kind, String subject) {
    handlers.getOrDefault(kind, s -> { }).accept(subject);
  }

  private void listen() {
    while (running) {
      try (Connection c = connect(); Statement st = c.createStatement()) {
        st.execute("LISTEN " + CHANNEL);
        listening.succeeded();
        PGConnection pg = c.unwrap(PGConnection.class);
        while (running) {
          PGNotification[] notifications = pg.getNotifications(500);
          if (notifications == null) {
            continue;
          }
          for (PGNotification n : notifications) {
            String payload = n.getParameter();
            for (Kind kind : Kind.values()) {
              if (payload.startsWith(kind.wire + " ")) {
                String subject = payload.substring(kind.wire.length() + 1);
                vertx.runOnContext(v -> deliver(kind, subject));
              }
            }
          }
        }
      } catch (SQLException e) {
        if (running) {
          listening.failed(e);
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
