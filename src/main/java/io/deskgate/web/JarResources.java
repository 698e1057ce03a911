package io.deskgate.web;

import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** Files the jar carries (pages, scripts), read once at start. */
public final class JarResources {

  private JarResources() {}

  /** The resource {@code name}; fails at start when the build left it out. */
  public static Buffer read(String name) {
    try (InputStream in = JarResources.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(name + " is missing from the jar; rebuild with mvn package");
      }
      return Buffer.buffer(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
