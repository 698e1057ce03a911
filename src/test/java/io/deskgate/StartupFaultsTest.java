package io.deskgate;

import static org.assertj.core.api.Assertions.assertThat;

import io.deskgate.testing.TestNode;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an operator can get wrong at start: the real command line in a JVM of its own, its exit code,
 * its one line on stderr, how fast it ends, and that it leaves nothing behind.
 */
class StartupFaultsTest {

  @TempDir
  Path dir;

  record Exit(int code, String stderr, long millis) {}

  private Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    env.put("DESKGATE_HTTP_PORT", "0");
    env.put("DESKGATE_DB_URL", "jdbc:h2:file:" + dir.resolve("data/db").toAbsolutePath());
    env.put("DESKGATE_SECRETS_KEY_FILE", dir.resolve("data/secret.key").toString());
    env.put("DESKGATE_PROVIDERS_XVNC_RUN_DIR", dir.resolve("data/xvnc").toString());
    env.put("DESKGATE_AUTH_PASSWORD_HASH_ITERATIONS", "10000");
    return env;
  }

  private Exit run(Map<String, String> env, String... args) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(TestNode.mainCommand(args)).redirectOutput(ProcessBuilder.Redirect.DISCARD);
    pb.environment().keySet().removeIf(k -> k.startsWith("DESKGATE_"));
    pb.environment().putAll(env);
    long start = System.nanoTime();
    Process p = pb.start();
    boolean ended = p.waitFor(30, TimeUnit.SECONDS);
    long millis = (System.nanoTime() - start) / 1_000_000;
    if (!ended) {
      p.destroyForcibly();
    }
    assertThat(ended).as("the process ends by itself").isTrue();
    return new Exit(p.exitValue(), new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8), millis);
  }

  private static void assertOneLine(Exit exit, String... fragments) {
    assertThat(exit.code()).as(exit.stderr()).isEqualTo(2);
    assertThat(exit.stderr().strip().lines()).as(exit.stderr()).hasSize(1);
    assertThat(exit.stderr()).startsWith("deskgate: ").contains(fragments).doesNotContain("Exception\n\tat");
  }

  @Test
  void aPortInUseEndsTheStartAtOnceAndWritesNothing() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Map<String, String> env = env();
      env.put("DESKGATE_HTTP_PORT", String.valueOf(taken.getLocalPort()));
      Exit exit = run(env);
      assertOneLine(exit, "cannot listen on 127.0.0.1:" + taken.getLocalPort(), "DESKGATE_HTTP_PORT");
      // the JVM's own start-up, measured with --help, is not Deskgate's to shorten
      Exit help = run(env, "--help");
      assertThat(help.code()).isZero();
      assertThat(exit.millis() - help.millis()).isLessThan(2000);
      assertThat(dir.resolve("data")).doesNotExist();
    }
  }

  @Test
  void aSecretsKeyThatIsNotTheStoresStopsTheStart() throws Exception {
    Map<String, String> env = env();
    env.put("DESKGATE_SECRETS_KEY", Base64.getEncoder().encodeToString(new byte[32]));
    try (TestNode first = TestNode.start("", env)) {
      assertThat(first.get("/healthz").statusCode()).isEqualTo(200);
    }
    byte[] other = new byte[32];
    other[5] = 1;
    env.put("DESKGATE_SECRETS_KEY", Base64.getEncoder().encodeToString(other));
    assertOneLine(run(env), "the secrets key (secrets.key) is not the key this store's secrets were sealed with");
    env.remove("DESKGATE_SECRETS_KEY");
    assertOneLine(run(env), "secrets key file", "is missing", "restore");
    assertThat(dir.resolve("data/secret.key")).doesNotExist();
  }

  @Test
  void anUnwritableDataDirectoryIsNamedWithTheReason() throws Exception {
    Path file = Files.writeString(dir.resolve("not-a-dir"), "x");
    Map<String, String> env = env();
    env.put("DESKGATE_DB_URL", "jdbc:h2:file:" + file.resolve("data/db"));
    assertOneLine(run(env), "the store's data directory " + file.resolve("data"), "is not writable", "Not a directory");
  }

  @Test
  void tlsFilesThatDoNotBelongTogetherStopTheStart() throws Exception {
    Path cert = dir.resolve("cert.pem");
    Path key = dir.resolve("key.pem");
    io.deskgate.web.TlsFixtures.selfSigned(cert, key);
    Path otherCert = dir.resolve("other-cert.pem");
    io.deskgate.web.TlsFixtures.selfSigned(otherCert, dir.resolve("other-key.pem"));
    Map<String, String> env = env();
    env.put("DESKGATE_HTTP_TLS_CERT_FILE", otherCert.toString());
    env.put("DESKGATE_HTTP_TLS_KEY_FILE", key.toString());
    assertOneLine(run(env), "is not the private key of the certificate");
    Files.writeString(cert, "not a certificate");
    env.put("DESKGATE_HTTP_TLS_CERT_FILE", cert.toString());
    assertOneLine(run(env), "does not hold a PEM certificate");
  }

}
