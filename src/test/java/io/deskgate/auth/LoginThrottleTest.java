package io.deskgate.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.deskgate.testing.TestNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Login throttles run before the password hash, at the production hash cost: a wrong-password flood
 * from one client address does not keep another address's user from logging in, and one user's name
 * tried from many addresses is limited too. Client addresses come from a trusted proxy's
 * X-Forwarded-For (the test client is the proxy).
 */
class LoginThrottleTest {

  static Map<String, String> env() {
    return Map.of(
        "DESKGATE_HTTP_TRUSTED_PROXIES", "127.0.0.1",
        "DESKGATE_AUTH_PASSWORD_HASH_ITERATIONS", "210000",
        "DESKGATE_AUTH_LOGIN_PER_ADDRESS_REQUESTS_PER_SECOND", "1",
        "DESKGATE_AUTH_LOGIN_PER_USER_REQUESTS_PER_SECOND", "1");
  }

  static HttpResponse<String> login(TestNode node, String from, String user, String password) {
    return node.send(node.request("/v3/auth/tokens").header("Content-Type", "application/json")
        .header("X-Forwarded-For", from)
        .POST(HttpRequest.BodyPublishers.ofString(TestNode.loginBody(user, password, TestNode.PROJECT).encode())));
  }

  @Test
  void aWrongPasswordFloodFromOneAddressLeavesOtherAddressesLoggingInWithinASecond() throws Exception {
    try (TestNode node = TestNode.start(TestNode.standardInventory(5999), env())) {
      Map<Integer, Integer> flood = new ConcurrentHashMap<>();
      AtomicBoolean stop = new AtomicBoolean();
      ExecutorService attackers = Executors.newFixedThreadPool(8);
      for (int i = 0; i < 8; i++) {
        attackers.submit(() -> {
          while (!stop.get()) {
            flood.merge(login(node, "192.0.2.2", "alice", "wrong-password").statusCode(), 1, Integer::sum);
          }
        });
      }
      List<Long> legitimate = new ArrayList<>();
      try {
        long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        int n = 0;
        while (System.nanoTime() < end) {
          long start = System.nanoTime();
          // a different user each time: the per-user limit is not what is measured here
          String user = n++ % 2 == 0 ? "bob" : "victor";
          HttpResponse<String> ok = login(node, "192.0.2." + (10 + n), user, user + "-pass-1");
          legitimate.add((System.nanoTime() - start) / 1_000_000);
          assertThat(ok.statusCode()).as(ok.body()).isEqualTo(201);
          Thread.sleep(300);
        }
      } finally {
        stop.set(true);
        attackers.shutdown();
        assertThat(attackers.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
      }
      assertThat(legitimate).isNotEmpty().allSatisfy(ms -> assertThat(ms).isLessThan(1000));
      assertThat(flood.getOrDefault(429, 0)).as("refused before hashing: " + flood).isGreaterThan(100);
      assertThat(flood.getOrDefault(401, 0)).as("hashed: " + flood).isLessThanOrEqualTo(20);
      assertThat(flood.keySet()).containsOnly(401, 429);
    }
  }

  @Test
  void oneUserNameTriedFromManyAddressesIsLimitedToo() {
    try (TestNode node = TestNode.start(TestNode.standardInventory(5999), env())) {
      List<Integer> statuses = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        statuses.add(login(node, "198.51.100." + (i + 1), "bob", "wrong-" + i).statusCode());
      }
      assertThat(statuses.subList(0, 5)).containsOnly(401);
      assertThat(statuses.subList(5, 10)).contains(429);
      HttpResponse<String> throttled = login(node, "198.51.100.99", "bob", "wrong");
      assertThat(throttled.statusCode()).isEqualTo(429);
      assertThat(throttled.body()).contains("\"error_code\":\"APIGW.0308\"");
    }
  }
}
