package io.deskgate.store;

import io.deskgate.testing.PgDatabase;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The store contract on the real PostgreSQL server, in a fresh database. */
class PostgresStoreTest extends StoreContract {

  static PgDatabase pg;

  @BeforeAll
  static void startOnPostgres() {
    pg = PgDatabase.create();
    start(Map.of("DESKGATE_DB_URL", pg.jdbcUrl()));
  }

  @AfterAll
  static void dropDatabase() {
    StoreContract.stop();
    node = null;
    pg.close();
  }
}
