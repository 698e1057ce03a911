package io.deskgate.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.deskgate.testing.ConsoleClient;
import io.deskgate.testing.RfbClient;
import io.deskgate.testing.StreamSource;
import io.deskgate.testing.TestNode;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * 2 GiB of a desktop's stream through the pump, every byte checked in order, on ws:// and on wss://
 * (TLS to the browser, the production case): long enough for every buffer, pool and TLS record path
 * the pump takes to be reused many times over.
 */
class LongTransferTest {

  static final long TOTAL = 2L << 30;
  static TestNode plain;
  static TestNode tls;

  @BeforeAll
  static void start() throws Exception {
    plain = TestNode.start(TestNode.standardInventory(1));
    tls = TestNode.start(TestNode.standardInventory(1), Map.of(
        "DESKGATE_HTTP_TLS_SELF_SIGNED", "true",
        "DESKGATE_HTTP_TLS_CERT_FILE", Files.createTempDirectory("tls").resolve("cert.pem").toString(),
        "DESKGATE_HTTP_TLS_KEY_FILE", Files.createTempDirectory("tls").resolve("key.pem").toString()));
  }

  @AfterAll
  static void stop() {
    plain.close();
    tls.close();
  }

  @Test
  void twoGibibytesOverWsArriveWhole() throws Exception {
    transfer(plain);
  }

  @Test
  void twoGibibytesOverWssArriveWhole() throws Exception {
    assertThat(tls.baseUrl()).startsWith("https://");
    transfer(tls);
  }

  static void transfer(TestNode on) throws Exception {
    try (StreamSource source = new StreamSource(TOTAL)) {
      on.addDesktop("long", source.port());
      try (ConsoleClient ws = ConsoleClient.connect(
          ConsoleClient.urlWithToken(on, TestNode.tokenOf(on.consoleUrl("long"))), null, List.of())) {
        new RfbClient(ws).handshake();
        ws.read(StreamSource.HEADER_BYTES, Duration.ofSeconds(15));
        PatternCheck check = new PatternCheck();
        long start = System.nanoTime();
        ws.divert(check);
        long got = check.done.get(5, TimeUnit.MINUTES);
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("%s: %d MiB in %.1f s%n", on.baseUrl(), got >> 20, seconds);
        assertThat(got).isEqualTo(TOTAL);
      }
    }
  }

  /** Checks that byte n of the stream is n % 251; completes with the count at TOTAL, fails at a wrong byte. */
  static final class PatternCheck implements Consumer<Buffer> {
    final CompletableFuture<Long> done = new CompletableFuture<>();
    long position;
    int phase;

    @Override
    public void accept(Buffer data) {
      byte[] bytes = data.getBytes();
      for (byte b : bytes) {
        if (b != (byte) phase) {
          done.completeExceptionally(new AssertionError("byte " + position + " is " + b + ", not " + phase));
          return;
        }
        position++;
        phase = phase == 250 ? 0 : phase + 1;
      }
      if (position >= TOTAL) {
        done.complete(position);
      }
    }
  }
}
