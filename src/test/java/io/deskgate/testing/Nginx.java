package io.deskgate.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Debian's nginx in front of a node, as the tests run it: in the foreground, every file it writes under
 * {@code dir}, with the {@code http} block's contents given; ready once its {@code port} listens.
 */
public final class Nginx implements AutoCloseable {

  private final Process process;

  private Nginx(Process process) {
    this.process = process;
  }

  public static Nginx start(Path dir, int port, String http) {
    try {
      Files.writeString(dir.resolve("nginx.conf"), """
          daemon off;
          master_process off;
          pid %1$s/nginx.pid;
          error_log %1$s/error.log warn;
          events { worker_connections 256; }
          http {
            client_body_temp_path %1$s/body;
            proxy_temp_path %1$s/proxy;
            fastcgi_temp_path %1$s/fastcgi;
            uwsgi_temp_path %1$s/uwsgi;
            scgi_temp_path %1$s/scgi;
          %2$s
          }
          """.formatted(dir, http));
      String binary = Files.isExecutable(Path.of("/usr/sbin/nginx")) ? "/usr/sbin/nginx" : "nginx";
      Nginx nginx = new Nginx(new ProcessBuilder(binary, "-p", dir.toString(), "-c", dir.resolve("nginx.conf").toString())
          .redirectErrorStream(true).redirectOutput(dir.resolve("nginx.out").toFile()).start());
      try {
        TestNode.awaitListening(port, Duration.ofSeconds(10));
      } catch (RuntimeException e) {
        nginx.close();
        throw e;
      }
      return nginx;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
