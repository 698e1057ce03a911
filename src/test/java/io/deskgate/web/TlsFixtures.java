package io.deskgate.web;

import java.nio.file.Path;

/** Certificates for tests, made the way Deskgate makes its self-signed pair. */
public final class TlsFixtures {

  private TlsFixtures() {}

  public static void selfSigned(Path cert, Path key) {
    Tls.generateSelfSigned(cert, key, "localhost");
  }
}
