package io.deskgate.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A real S3-compatible server on loopback for the tests: s3proxy (its jar copied by the build) on its
 * filesystem backend, run as its own process. A bucket is a directory under {@link #dir}; an object is a
 * file at its key under it.
 */
public final class S3Server implements AutoCloseable {

  public static final String IDENTITY = "deskgate-test";
  public static final String CREDENTIAL = "deskgate-test-secret";

  private final Process process;
  private final Path dir;
  private final int port;

  private S3Server(Process process, Path dir, int port) {
    this.process = process;
    this.dir = dir;
    this.port = port;
  }

  /** Starts the server with {@code bucket} made; waits until it listens. */
  public static S3Server start(Path dir, String bucket) {
    try {
      Path data = Files.createDirectories(dir.resolve("data"));
      Files.createDirectories(data.resolve(bucket));
      int port = TestNode.closedPort();
      Path properties = dir.resolve("s3proxy.conf");
      Files.writeString(properties, String.join("\n", "s3proxy.endpoint=http://127.0.0.1:" + port,
          "s3proxy.authorization=aws-v2-or-v4", "s3proxy.identity=" + IDENTITY, "s3proxy.credential=" + CREDENTIAL,
          "jclouds.provider=filesystem", "jclouds.filesystem.basedir=" + data) + "\n");
      Path jar = Path.of(System.getProperty("deskgate.s3proxyJar", "target/s3proxy/s3proxy.jar"));
      Process process = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Xmx256m", "-jar", jar.toString(), "--properties", properties.toString()))
          .redirectErrorStream(true).redirectOutput(dir.resolve("s3proxy.log").toFile()).start();
      S3Server server = new S3Server(process, data, port);
      try {
        TestNode.awaitListening(port, Duration.ofSeconds(60));
      } catch (RuntimeException e) {
        server.close();
        throw e;
      }
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String endpoint() {
    return "http://127.0.0.1:" + port;
  }

  /** Where the objects are: {@code dir().resolve(bucket).resolve(key)}. */
  public Path dir() {
    return dir;
  }

  /** The environment that points a node's recordings at {@code bucket} on this server. */
  public Map<String, String> nodeEnvironment(String bucket) {
    return Map.of("DESKGATE_RECORDING_STORAGE", "s3", "DESKGATE_RECORDING_S3_ENDPOINT", endpoint(),
        "DESKGATE_RECORDING_S3_BUCKET", bucket, "DESKGATE_RECORDING_S3_PATH_STYLE", "true",
        "DESKGATE_RECORDING_S3_ACCESS_KEY", IDENTITY, "DESKGATE_RECORDING_S3_SECRET_KEY", CREDENTIAL);
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
