package io.deskgate.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * A fresh database on the real PostgreSQL server (127.0.0.1:5432, trust auth, as on this machine
 * kind; override the admin URL with DESKGATE_TEST_PG_ADMIN_URL), dropped again on close.
 */
public final class PgDatabase implements AutoCloseable {

  static final String ADMIN_URL = System.getenv().getOrDefault("DESKGATE_TEST_PG_ADMIN_URL",
      "jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres");

  private final String name = "dg_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

  private PgDatabase() {}

  public static PgDatabase create() {
    PgDatabase db = new PgDatabase();
    db.admin("CREATE DATABASE " + db.name);
    return db;
  }

  public String name() {
    return name;
  }

  /** A JDBC URL of this database, as the given role. */
  public String jdbcUrl(String user) {
    return ADMIN_URL.replaceFirst("/postgres\\?user=postgres", "/" + name + "?user=" + user);
  }

  public String jdbcUrl() {
    return jdbcUrl("postgres");
  }

  /** Runs statements as the superuser, on this database. */
  public void sql(String... statements) {
    run(jdbcUrl(), statements);
  }

  /** Runs statements as the superuser, on the maintenance database. */
  public void admin(String... statements) {
    run(ADMIN_URL, statements);
  }

  private static void run(String url, String... statements) {
    try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
      for (String sql : statements) {
        s.execute(sql);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("PostgreSQL at " + url + " failed (is it running? ./run-tests starts it): "
          + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    admin("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
  }
}
