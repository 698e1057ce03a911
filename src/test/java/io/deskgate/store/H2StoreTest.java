package io.deskgate.store;

import java.util.Map;
import org.junit.jupiter.api.BeforeAll;

/** The store contract on the embedded default, an H2 file database. */
class H2StoreTest extends StoreContract {

  @BeforeAll
  static void startOnH2() {
    start(Map.of());
  }
}
