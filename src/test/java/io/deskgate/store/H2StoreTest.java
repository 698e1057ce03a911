package io.deskgate.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The store contract on the embedded default, an H2 file database. */
class H2StoreTest extends StoreContract {

  @BeforeAll
  static void startOnH2() {
    start(Map.of());
  }

  @Test
  void theDatabaseFileIsItsOwnersOnly() throws Exception {
    assertThat(java.nio.file.Files.getPosixFilePermissions(node.dir().resolve("db.mv.db")))
        .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
  }
}
