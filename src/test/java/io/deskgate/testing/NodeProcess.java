package io.deskgate.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A Deskgate node in a JVM of its own (for what a test cannot do to a node in its own JVM, such as
 * SIGKILL): started from the test classpath with the config file {@code yaml} and {@code env}, in
 * {@code dir}, its log in {@code dir/deskgate.log}; returns once it serves.
 */
public final class NodeProcess implements AutoCloseable {

  private final Process process;
  private final int port;

  private NodeProcess(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  public static NodeProcess start(Path dir, String yaml, Map<String, String> env) {
    try {
      Files.createDirectories(dir);
      Files.writeString(dir.resolve("deskgate.yaml"), yaml);
      int port = TestNode.closedPort();
      ProcessBuilder pb = new ProcessBuilder(TestNode.mainCommand("--config", "deskgate.yaml")).directory(dir.toFile())
          .redirectError(ProcessBuilder.Redirect.appendTo(dir.resolve("deskgate.log").toFile()));
      pb.environment().keySet().removeIf(k -> k.startsWith("DESKGATE_"));
      Map<String, String> all = new HashMap<>(Map.of(
          "DESKGATE_HTTP_PORT", String.valueOf(port),
          "DESKGATE_AUTH_PASSWORD_HASH_ITERATIONS", "10000",
          "DESKGATE_AUTH_LOGIN_PER_ADDRESS_REQUESTS_PER_SECOND", "0",
          "DESKGATE_AUTH_LOGIN_PER_USER_REQUESTS_PER_SECOND", "0",
          "DESKGATE_CONSOLE_REDEEM_LIMIT_REQUESTS_PER_SECOND", "0",
          "DESKGATE_PROVIDERS_STATIC_PROBE_INTERVAL_SECONDS", "0",
          "DESKGATE_PROVIDERS_LIBVIRT_CHECK_INTERVAL_SECONDS", "0"));
      all.putAll(env);
      pb.environment().putAll(all);
      Process process = pb.start();
      BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      for (String line; (line = out.readLine()) != null && !line.contains("Log in with"); ) {
        // the banner: the node serves
      }
      if (!process.isAlive()) {
        throw new IllegalStateException("the node exited at start; see " + dir.resolve("deskgate.log"));
      }
      Thread drain = new Thread(() -> out.lines().forEach(l -> { }), "node-process-stdout");
      drain.setDaemon(true);
      drain.start();
      return new NodeProcess(process, port);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + port;
  }

  /** SIGKILL: the node stops at once, leaving everything as it was. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
