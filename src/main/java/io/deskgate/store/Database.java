package io.deskgate.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.deskgate.config.Config;
import io.deskgate.work.WorkerPool;
import io.vertx.core.Future;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import org.flywaydb.core.Flyway;

/**
 * The relational store: a HikariCP pool, the schema migrated by Flyway at start, and the one way the
 * rest of Deskgate touches JDBC: {@link #run} / {@link #transaction}, which execute on the store's own
 * {@link WorkerPool} (one thread per pooled connection, JDBC blocks) and translate failures into
 * {@link StoreUnavailableException} (the database cannot be reached, or {@code store.queue_limit} queries
 * already wait: callers answer 503) or {@link StoreException} (anything else: 500).
 * The same migrations run on H2 and PostgreSQL; times are stored as epoch milliseconds.
 */
public final class Database implements AutoCloseable {

  /** One unit of JDBC work on a borrowed connection. */
  @FunctionalInterface
  public interface Work<T> {
    T apply(Connection connection) throws SQLException;
  }

  private final WorkerPool workers;
  private final HikariDataSource dataSource;

  private Database(WorkerPool workers, HikariDataSource dataSource) {
    this.workers = workers;
    this.dataSource = dataSource;
  }

  /** Opens the pool and migrates the schema; blocks, so call it before serving. */
  public static Database open(Config.Store config) {
    HikariConfig hc = new HikariConfig();
    String url = config.jdbcUrl();
    if (url.startsWith("jdbc:h2:") && !url.toUpperCase(java.util.Locale.ROOT).contains("DB_CLOSE_ON_EXIT")) {
      // Deskgate closes the store itself, after its shutdown work; H2's own shutdown hook would not wait
      url += ";DB_CLOSE_ON_EXIT=FALSE";
    }
    hc.setJdbcUrl(url);
    if (config.username() != null) {
      hc.setUsername(config.username());
    }
    if (config.password() != null) {
      hc.setPassword(config.password());
    }
    hc.setMaximumPoolSize(config.poolSize());
    hc.setConnectionTimeout(config.connectionTimeoutMs());
    hc.setValidationTimeout(Math.min(config.connectionTimeoutMs(), 5000));
    hc.setInitializationFailTimeout(config.connectionTimeoutMs());
    hc.setPoolName("deskgate-store");
    HikariDataSource ds;
    try {
      ds = new HikariDataSource(hc);
    } catch (RuntimeException e) {
      throw new StoreUnavailableException("cannot connect to " + redact(config.jdbcUrl()) + ": " + rootMessage(e), e);
    }
    try {
      Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();
    } catch (RuntimeException e) {
      ds.close();
      throw new StoreException("schema migration failed on " + redact(config.jdbcUrl()) + ": " + rootMessage(e), e);
    }
    try {
      ownerOnly(config);
    } catch (StoreException e) {
      ds.close();
      throw e;
    }
    return new Database(new WorkerPool("store", config.poolSize(), config.queueLimit(),
        () -> new StoreUnavailableException("store busy: " + config.queueLimit() + " queries already wait", null)), ds);
  }

  private static final String H2_FILE = "jdbc:h2:file:";

  /**
   * An embedded (H2 file) store holds password hashes and sealed secrets: its files are the owner's
   * only (H2 creates them with the process's umask, commonly 0644).
   */
  private static void ownerOnly(Config.Store config) {
    Path base = h2File(config);
    if (base == null) {
      return;
    }
    for (String suffix : new String[] {".mv.db", ".trace.db"}) {
      Path file = base.resolveSibling(base.getFileName() + suffix);
      try {
        if (java.nio.file.Files.exists(file)) {
          java.nio.file.Files.setPosixFilePermissions(file,
              java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        }
      } catch (java.io.IOException | UnsupportedOperationException e) {
        throw new StoreException("cannot make " + file + " readable by its owner only: " + e.getMessage(), e);
      }
    }
  }

  /** For an embedded (H2 file) store: its directory must be writable; checked before anything starts. */
  public static void requireWritableDirectory(Config.Store config) {
    Path base = h2File(config);
    if (base != null && base.getParent() != null) {
      PrivateFiles.requireWritableDirectory(base.getParent(), "the store's data");
    }
  }

  /** An embedded store's file name without H2's suffixes (absolute); null for any other store. */
  private static Path h2File(Config.Store config) {
    String url = config.jdbcUrl();
    return url.startsWith(H2_FILE) ? Path.of(url.substring(H2_FILE.length()).split(";", 2)[0]).toAbsolutePath() : null;
  }

  /** Runs work on a worker thread in auto-commit mode. */
  public <T> Future<T> run(Work<T> work) {
    return workers.submit(() -> runNow(work));
  }

  /** Runs work on a worker thread in one transaction, committed when it returns normally. */
  public <T> Future<T> transaction(Work<T> work) {
    return workers.submit(() -> transactionNow(work));
  }

  /** Runs work on the calling thread; for start-up and tools, never on an event loop. */
  public <T> T runNow(Work<T> work) {
    try (Connection c = dataSource.getConnection()) {
      return work.apply(c);
    } catch (SQLException e) {
      throw translate(e);
    }
  }

  public <T> T transactionNow(Work<T> work) {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        T result = work.apply(c);
        c.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        try {
          c.rollback();
        } catch (SQLException suppressed) {
          e.addSuppressed(suppressed);
        }
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw translate(e);
    }
  }

  /** Hands HikariCP's pool meters to {@code registry}. */
  public void meters(io.micrometer.core.instrument.MeterRegistry registry) {
    dataSource.setMetricRegistry(registry);
  }

  public boolean isPostgres() {
    return dataSource.getJdbcUrl().startsWith("jdbc:postgresql:");
  }

  @Override
  public void close() {
    workers.close();
    dataSource.close();
  }

  static RuntimeException translate(SQLException e) {
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    boolean unreachable = e instanceof SQLTransientConnectionException
        || e instanceof SQLNonTransientConnectionException
        || state.startsWith("08")      // connection exception
        || state.startsWith("57P")     // PostgreSQL: server shutting down / terminated
        || state.equals("90067")       // H2: connection broken
        || state.equals("90098");      // H2: database closed
    return unreachable
        ? new StoreUnavailableException("store unavailable: " + rootMessage(e), e)
        : new StoreException("store error " + state + ": " + rootMessage(e), e);
  }

  private static String rootMessage(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
  }

  /** JDBC URLs may carry passwords as parameters; never print those. */
  static String redact(String jdbcUrl) {
    return jdbcUrl.replaceAll("(?i)(password=)[^&;]*", "$1***");
  }
}
