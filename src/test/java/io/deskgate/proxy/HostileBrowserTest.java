package io.deskgate.proxy;

import static io.deskgate.testing.TestNode.DESKTOP;
import static io.deskgate.testing.TestNode.PROJECT;
import static org.assertj.core.api.Assertions.assertThat;

import io.deskgate.testing.ScriptedDesktop;
import io.deskgate.testing.RawWebSocket;
import io.deskgate.testing.TestNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.Deflater;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Hostile browsers against a Deskgate process with a fixed, pre-touched heap (so that its resident size
 * moves only with what it really holds): a deflate bomb, a 100 MiB frame, an endless fragmented message,
 * a text frame and a million pings never read. Each closes with its code, the process grows by less
 * than {@link #RSS_BOUND_MIB}, and another user's API call is answered within 200 ms throughout.
 * The desktop is a plain sink that completes an RFB handshake and swallows what it gets.
 */
class HostileBrowserTest {

  static final long RSS_BOUND_MIB = 48;
  static final Duration WAIT = Duration.ofSeconds(15);
  static ScriptedDesktop sink;
  static Process node;
  static String base;
  static int port;
  static String apiToken;
  static Path dir;

  @BeforeAll
  static void start() throws Exception {
    sink = ScriptedDesktop.sink();
    dir = Files.createTempDirectory("deskgate-hostile");
    Files.writeString(dir.resolve("deskgate.yaml"), TestNode.standardInventory(sink.port()));
    port = TestNode.closedPort();
    List<String> command = TestNode.mainCommand("--config", "deskgate.yaml");
    command.addAll(1, List.of("-Xms192m", "-Xmx192m", "-XX:+AlwaysPreTouch"));
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile())
        .redirectError(dir.resolve("deskgate.log").toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("DESKGATE_"));
    pb.environment().putAll(Map.ofEntries(
        Map.entry("DESKGATE_HTTP_PORT", String.valueOf(port)),
        Map.entry("DESKGATE_AUTH_PASSWORD_HASH_ITERATIONS", "10000"),
        Map.entry("DESKGATE_CONSOLE_WEBSOCKET_COMPRESSION", "true"),
        Map.entry("DESKGATE_CONSOLE_PING_LIMIT", "0"),
        Map.entry("DESKGATE_PROVIDERS_STATIC_PROBE_INTERVAL_SECONDS", "0"),
        Map.entry("DESKGATE_CONSOLE_REDEEM_LIMIT_REQUESTS_PER_SECOND", "0"),
        Map.entry("DESKGATE_AUTH_LOGIN_PER_ADDRESS_REQUESTS_PER_SECOND", "0")));
    node = pb.start();
    BufferedReader out = new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8));
    for (String line; (line = out.readLine()) != null && !line.contains("Log in with"); ) {
      // the banner: the node serves
    }
    base = "http://127.0.0.1:" + port;
    apiToken = TestNode.aliceTokenAt(base);
  }

  @AfterAll
  static void stop() throws Exception {
    node.destroy();
    node.waitFor(20, TimeUnit.SECONDS);
    sink.close();
  }

  static long rssMib() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + node.pid() + "/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
      }
    }
    throw new IllegalStateException("no VmRSS");
  }

  /** Runs {@code attack} while another user calls the API every 20 ms; returns the slowest call in ms. */
  static long whileCallingTheApi(Runnable attack) throws Exception {
    HttpClient client = HttpClient.newHttpClient();
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong slowest = new AtomicLong();
    AtomicLong calls = new AtomicLong();
    Thread caller = new Thread(() -> {
      while (!stop.get()) {
        long start = System.nanoTime();
        try {
          HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(base + "/v2/" + PROJECT + "/desktops"))
              .header("X-Auth-Token", apiToken).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
          if (r.statusCode() != 200) {
            slowest.set(Long.MAX_VALUE);
          }
        } catch (Exception e) {
          slowest.set(Long.MAX_VALUE);
        }
        slowest.accumulateAndGet((System.nanoTime() - start) / 1_000_000, Math::max);
        calls.incrementAndGet();
        try {
          Thread.sleep(20);
        } catch (InterruptedException e) {
          return;
        }
      }
    });
    // warm the caller's connection first, so the first call's set-up is not counted
    client.send(HttpRequest.newBuilder(URI.create(base + "/healthz")).build(), HttpResponse.BodyHandlers.ofString());
    caller.start();
    try {
      attack.run();
    } finally {
      stop.set(true);
      caller.join();
    }
    assertThat(calls.get()).isPositive();
    return slowest.get();
  }

  interface Attack {
    int closeCode(RawWebSocket ws) throws Exception;
  }

  static void expect(String what, boolean offerDeflate, int code, Attack attack) throws Exception {
    String token = TestNode.consoleTokenAt(base, apiToken);
    long before = rssMib();
    int[] seen = new int[1];
    long slowest = whileCallingTheApi(() -> {
      try (RawWebSocket ws = RawWebSocket.open(port, token, offerDeflate)) {
        seen[0] = attack.closeCode(ws);
        assertThat(ws.closedWithin(Duration.ofSeconds(5))).as(what + ": the connection is dropped").isTrue();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    long grown = rssMib() - before;
    System.out.printf("hostile browser: %s closed %d, resident size %+d MiB, slowest API call %d ms%n", what, seen[0],
        grown, slowest);
    assertThat(seen[0]).as(what + ": close code").isEqualTo(code);
    assertThat(grown).as(what + ": resident size growth in MiB").isLessThan(RSS_BOUND_MIB);
    assertThat(slowest).as(what + ": slowest API call of another user, ms").isLessThan(200);
  }

  @Test
  void aDeflateBombIsCutAtTheMessageLimit() throws Exception {
    byte[] zeros = new byte[60 << 20];
    Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
    deflater.setInput(zeros);
    byte[] buffer = new byte[1 << 20];
    int n = deflater.deflate(buffer, 0, buffer.length, Deflater.SYNC_FLUSH);
    deflater.end();
    byte[] bomb = java.util.Arrays.copyOf(buffer, n - 4);
    assertThat(bomb.length).isLessThan(65_536);
    expect("deflate bomb", true, 1009, ws -> {
      assertThat(ws.extensions()).contains("permessage-deflate");
      ws.send(true, true, RawWebSocket.BINARY, bomb);
      return ws.awaitCloseCode(WAIT);
    });
  }

  @Test
  void a100MibFrameIsRefusedFromItsHeader() throws Exception {
    expect("100 MiB frame", false, 1009, ws -> {
      ws.sendHeader(true, false, RawWebSocket.BINARY, 100L << 20);
      ws.sendPayload(RawWebSocket.random(65_536));
      return ws.awaitCloseCode(WAIT);
    });
  }

  @Test
  void anEndlessFragmentedMessageIsCutAtTheMessageLimit() throws Exception {
    expect("endless fragments", false, 1009, ws -> {
      // Deskgate's RFB handshake (version, None, ClientInit) in one frame, then a message of valid
      // pointer events that never ends: each fragment is passed on, until the message is too big
      ws.send(true, false, RawWebSocket.BINARY, "RFB 003.008\n\1\1".getBytes(StandardCharsets.US_ASCII));
      byte[] chunk = new byte[60_000];
      for (int i = 0; i < chunk.length; i += 6) {
        chunk[i] = 5;
      }
      ws.send(false, false, RawWebSocket.BINARY, chunk);
      for (int i = 0; i < 100 && ws.send(false, false, RawWebSocket.CONTINUATION, chunk); i++) {
        // 6 MB offered in one message: far past the 1 MiB limit
      }
      return ws.awaitCloseCode(WAIT);
    });
  }

  @Test
  void aTextFrameIsRefused() throws Exception {
    expect("text frame", false, 1003, ws -> {
      ws.send(true, false, RawWebSocket.TEXT, "hello".getBytes(StandardCharsets.UTF_8));
      return ws.awaitCloseCode(WAIT);
    });
  }

  @Test
  void aMillionPingsNeverReadKeepMemoryBoundedEvenWithoutAPingLimit() throws Exception {
    String token = TestNode.consoleTokenAt(base, apiToken);
    long before = rssMib();
    long slowest = whileCallingTheApi(() -> {
      try (RawWebSocket ws = RawWebSocket.open(port, token, false)) {
        byte[] payload = new byte[100];
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        for (int i = 0; i < 1_000_000 && System.nanoTime() < deadline; i++) {
          if (!ws.send(true, false, RawWebSocket.PING, payload)) {
            break;
          }
        }
      }
    });
    long grown = rssMib() - before;
    System.out.printf("hostile browser: a million unread pings, resident size %+d MiB, slowest API call %d ms%n",
        grown, slowest);
    assertThat(grown).as("resident size growth in MiB").isLessThan(RSS_BOUND_MIB);
    assertThat(slowest).isLessThan(200);
  }

  @Test
  void aPingFloodIsClosedWithPolicyViolation() throws Exception {
    try (ScriptedDesktop desk = ScriptedDesktop.sink();
         TestNode limited = TestNode.start(TestNode.standardInventory(desk.port()))) {
      try (RawWebSocket ws = RawWebSocket.open(limited.node().port(), TestNode.tokenOf(limited.consoleUrl(DESKTOP)), false)) {
        for (int i = 0; i < 200; i++) {
          ws.send(true, false, RawWebSocket.PING, new byte[4]);
        }
        assertThat(ws.awaitCloseCode(WAIT)).isEqualTo(1008);
      }
    }
  }
}
