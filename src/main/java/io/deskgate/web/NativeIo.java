package io.deskgate.web;

import io.deskgate.config.ConfigException;
import io.netty.handler.ssl.OpenSsl;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.SSLEngineOptions;
import io.vertx.core.transport.Transport;

/**
 * The socket transport and the TLS engine a node runs on. {@code auto} takes the native one where this
 * machine can load it (epoll; BoringSSL from netty-tcnative); naming one that cannot load stops the
 * start with the reason, rather than running on something else unnoticed. The start-up log says which.
 */
public final class NativeIo {

  private NativeIo() {}

  /** {@code http.transport}: auto, nio, epoll or io_uring. */
  public static Transport transport(String name) {
    return switch (name) {
      case "nio" -> Transport.NIO;
      case "epoll" -> required(Transport.EPOLL, name);
      case "io_uring" -> required(Transport.IO_URING, name);
      default -> Transport.EPOLL != null && Transport.EPOLL.available() ? Transport.EPOLL : Transport.NIO;
    };
  }

  /** {@code http.tls.engine}: auto, openssl or jdk. */
  public static SSLEngineOptions tlsEngine(String name) {
    return switch (name) {
      case "jdk" -> new JdkSSLEngineOptions();
      case "openssl" -> {
        if (!OpenSsl.isAvailable()) {
          throw new ConfigException("http.tls.engine openssl cannot load here: " + OpenSsl.unavailabilityCause());
        }
        yield new OpenSSLEngineOptions();
      }
      default -> OpenSsl.isAvailable() ? new OpenSSLEngineOptions() : new JdkSSLEngineOptions();
    };
  }

  public static String describe(SSLEngineOptions engine) {
    return engine instanceof OpenSSLEngineOptions ? "OpenSSL (" + OpenSsl.versionString() + ")" : "JDK";
  }

  private static Transport required(Transport transport, String name) {
    if (transport == null || !transport.available()) {
      throw new ConfigException("http.transport " + name + " cannot load here: "
          + (transport == null ? "its classes are missing" : transport.unavailabilityCause()));
    }
    return transport;
  }
}
