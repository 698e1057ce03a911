package io.deskgate.web;

import static io.deskgate.testing.TestNode.PROJECT;
import static org.assertj.core.api.Assertions.assertThat;

import io.deskgate.testing.LogCapture;
import io.deskgate.testing.Signer;
import io.deskgate.testing.TestNode;
import io.deskgate.testing.Workspace;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What on-call engineers watch at {@code /metrics}: behind a bearer token when one is set; HTTP latency
 * with buckets; authentication failures by reason, access-key lockouts, throttled calls; the store and
 * its connection pool.
 */
class MetricsTest {

  static final String METRICS_TOKEN = "metrics-token-0123456789";
  static TestNode node;

  @BeforeAll
  static void start() {
    node = TestNode.start(TestNode.standardInventory(TestNode.closedPort()), Map.of(
        "DESKGATE_METRICS_TOKEN", METRICS_TOKEN, "DESKGATE_AUTH_AKSK_LOCKOUT_MAX_FAILURES", "2",
        "DESKGATE_API_RATE_LIMIT_REQUESTS_PER_SECOND", "1", "DESKGATE_API_RATE_LIMIT_BURST", "3"));
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  static String scrape() {
    var r = node.get("/metrics", "Authorization", "Bearer " + METRICS_TOKEN);
    assertThat(r.statusCode()).isEqualTo(200);
    return r.body();
  }

  @Test
  void theMetricsNeedTheirToken() {
    assertThat(node.get("/metrics").statusCode()).isEqualTo(401);
    assertThat(node.get("/metrics", "Authorization", "Bearer wrong-token-0123456789").statusCode()).isEqualTo(401);
    assertThat(scrape()).contains("deskgate_store_up 1.0").contains("hikaricp_connections_active");
    Workspace.until(MetricsTest::scrape, m -> m.contains("deskgate_desktops{provider=\"static\""), Duration.ofSeconds(10),
        "the desktops counted");
    assertThat(scrape()).containsPattern("deskgate_desktops\\{provider=\"static\",status=\"[A-Z]+\"} [1-9]");
  }

  @Test
  void refusalsAreCountedByWhy() {
    node.get("/v2/" + PROJECT + "/desktops", "X-Auth-Token", "not a token");
    node.get("/v2/" + PROJECT + "/desktops");
    node.login("alice", "wrong-password", PROJECT);
    try (LogCapture log = new LogCapture()) {
      Signer wrong = new Signer(node, TestNode.ALICE_AK, "not-the-secret");
      wrong.get("/v2/" + PROJECT + "/desktops?limit=1");
      wrong.get("/v2/" + PROJECT + "/desktops?limit=2");
      assertThat(wrong.get("/v2/" + PROJECT + "/desktops?limit=3").body()).contains("locked");
      assertThat(log.awaitLine("access key " + TestNode.ALICE_AK + " (user ")).isTrue();
    }
    String token = node.token("bob", "bob-pass-1", PROJECT);
    int throttled = 0;
    for (int i = 0; i < 10; i++) {
      throttled += node.get("/v2/" + PROJECT + "/desktops", "X-Auth-Token", token).statusCode() == 429 ? 1 : 0;
    }
    assertThat(throttled).isPositive();
    String metrics = scrape();
    assertThat(metrics).contains("deskgate_auth_failures_total{reason=\"bad_token\"} 1.0")
        .contains("deskgate_auth_failures_total{reason=\"no_credentials\"} 1.0")
        .contains("deskgate_auth_failures_total{reason=\"login_refused\"} 1.0")
        .contains("deskgate_auth_failures_total{reason=\"bad_signature\"} 2.0")
        .contains("deskgate_auth_failures_total{reason=\"access_key_locked\"} 1.0")
        .contains("deskgate_auth_access_key_lockouts_total 1.0")
        .contains("deskgate_http_throttled_total " + throttled + ".0")
        .containsPattern("deskgate_http_requests_seconds_bucket\\{method=\"GET\",route=\"[^\"]+\",status=\"\\d+\","
            + "le=\"0\\.005\"}");
  }

  @Test
  void withMetricsListenTheMetricsAreOnTheirOwnPortOnly() throws Exception {
    int port = TestNode.closedPort();
    try (TestNode apart = TestNode.start(TestNode.standardInventory(TestNode.closedPort()),
        Map.of("DESKGATE_METRICS_LISTEN", "127.0.0.1:" + port));
         LogCapture log = new LogCapture()) {
      assertThat(apart.get("/metrics").statusCode()).as("not on the API's port").isEqualTo(404);
      HttpClient client = HttpClient.newHttpClient();
      HttpResponse<String> scraped = client.send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + port + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(scraped.statusCode()).isEqualTo(200);
      assertThat(scraped.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
      assertThat(scraped.body()).contains("deskgate_store_up 1.0");
      HttpResponse<String> other = client.send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + port + "/v3/auth/tokens")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(other.statusCode()).as("nothing else on the metrics port").isEqualTo(404);
      assertThat(other.body()).contains("\"error_code\"");
      assertThat(log.awaitLine("GET /metrics -> 200")).as("scrapes are logged like other requests").isTrue();
    }
  }

  @Test
  void aMetricsPortInUseStopsTheStartWithTheSettingToChange() throws Exception {
    try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> TestNode.start(TestNode.standardInventory(5999),
              Map.of("DESKGATE_METRICS_LISTEN", "127.0.0.1:" + taken.getLocalPort())))
          .hasMessageContaining("metrics.listen (DESKGATE_METRICS_LISTEN)");
    }
  }
}
