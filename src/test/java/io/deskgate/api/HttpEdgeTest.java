package io.deskgate.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.deskgate.testing.RawHttp;
import io.deskgate.testing.TestNode;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Requests no client library would send, byte by byte: each gets the contract's error body with the
 * right status (never a 500, a plain-text status or silence), and connections whose rest cannot be
 * trusted are closed.
 */
class HttpEdgeTest {

  static final Duration WAIT = Duration.ofSeconds(5);
  static TestNode node;

  @BeforeAll
  static void start() {
    node = TestNode.start(TestNode.standardInventory(5999), Map.of(
        "DESKGATE_HTTP_HEADER_TIMEOUT_SECONDS", "1",
        "DESKGATE_HTTP_BODY_TIMEOUT_SECONDS", "2"));
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  private static RawHttp.Response exchange(String method, String request) {
    try (RawHttp http = new RawHttp(node.node().port())) {
      http.send(request);
      return http.read(method, WAIT);
    }
  }

  static void assertContractError(RawHttp.Response r, int status) {
    assertThat(r.status()).as(r.toString()).isEqualTo(status);
    assertThat(r.header("content-type")).isEqualTo("application/json");
    JsonObject body = new JsonObject(r.body());
    assertThat(body.getString("error_code")).isNotBlank();
    assertThat(body.getString("error_msg")).isNotBlank();
    assertThat(body.getString("request_id")).isEqualTo(r.header("x-request-id"));
  }

  @Test
  void badEscapesControlCharactersAndEscapedNulAre400() {
    assertContractError(exchange("GET", "GET /v2/p/desktops?a=%zz HTTP/1.1\r\nHost: x\r\n\r\n"), 400);
    assertContractError(exchange("GET", "GET /v2/%zz/desktops HTTP/1.1\r\nHost: x\r\n\r\n"), 400);
    assertContractError(exchange("GET", "GET /v2/p%00/desktops HTTP/1.1\r\nHost: x\r\n\r\n"), 400);
    assertContractError(exchange("GET", "GET /v2/p/desktops?x=%0 HTTP/1.1\r\nHost: x\r\n\r\n"), 400);
    assertContractError(exchange("POST",
        "POST /v3/auth/tokens?a=%zz HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            + "Content-Length: 3\r\n\r\na=b"), 400);
    assertThat(node.get("/metrics").body()).containsPattern("deskgate_http_refused_total\\{status=\"400\"\\} [1-9]");
  }

  @Test
  void aRequestWithoutHostOrWithTwoIs400() {
    assertContractError(exchange("GET", "GET /healthz HTTP/1.1\r\n\r\n"), 400);
    assertContractError(exchange("GET", "GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"), 400);
  }

  @Test
  void formsAreNeverParsedAndOnlyJsonBodiesAreRead() {
    RawHttp.Response get = exchange("GET", "GET /v2/" + TestNode.PROJECT + "/desktops HTTP/1.1\r\nHost: x\r\n"
        + "Content-Type: multipart/form-data; boundary=b\r\nContent-Length: 4\r\n\r\n--b-");
    assertContractError(get, 401);
    RawHttp.Response options = exchange("OPTIONS", "OPTIONS /v2/p/desktops HTTP/1.1\r\nHost: x\r\n"
        + "Content-Type: multipart/form-data; boundary=b\r\n\r\n");
    assertThat(options.status()).isBetween(400, 499);
    assertContractError(exchange("POST", "POST /v3/auth/tokens HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
        + "Content-Length: 2\r\n\r\n{}"), 415);
    String nul = "{\"auth\":{\"identity\":{\"methods\":[\"password\"],\"password\":{\"user\":{\"name\":\"a\\u0000\","
        + "\"password\":\"x\",\"domain\":{\"name\":\"acme\"}}}}}}";
    assertContractError(exchange("POST", "POST /v3/auth/tokens HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        + "Content-Length: " + nul.length() + "\r\n\r\n" + nul), 400);
  }

  @Test
  void transferEncodingWithContentLengthIs400AndTheConnectionCloses() {
    try (RawHttp http = new RawHttp(node.node().port())) {
      http.send("POST /v3/auth/tokens HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 4\r\n"
          + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
      assertContractError(http.read("POST", WAIT), 400);
      assertThat(http.closedWithin(WAIT)).isTrue();
    }
    assertContractError(exchange("POST", "POST /v3/auth/tokens HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n"),
        400);
  }

  @Test
  void aDeclaredOversizeBodyIs413BeforeItIsSentAndTheConnectionCloses() {
    try (RawHttp http = new RawHttp(node.node().port())) {
      http.send("POST /v3/auth/tokens HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
          + "Content-Length: 52428800\r\n\r\n{\"a\":");
      RawHttp.Response r = http.read("POST", WAIT);
      assertContractError(r, 413);
      assertThat(http.closedWithin(WAIT)).isTrue();
    }
  }

  @Test
  void aBodyThatNeverEndsIs408AndAHeadThatDripsIsCutOff() {
    try (RawHttp http = new RawHttp(node.node().port())) {
      http.send("POST /v3/auth/tokens HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
          + "Transfer-Encoding: chunked\r\n\r\n1\r\n{\r\n");
      RawHttp.Response r = http.read("POST", WAIT);
      assertContractError(r, 408);
      assertThat(r.millis()).isBetween(1500L, 4500L);
      assertThat(http.closedWithin(WAIT)).isTrue();
    }
    try (RawHttp http = new RawHttp(node.node().port())) {
      http.send("GET /healthz HTTP/1.1\r\nHo");
      RawHttp.Response r = http.read("GET", WAIT);
      assertContractError(r, 408);
      assertThat(r.millis()).isBetween(700L, 3000L);
      assertThat(http.closedWithin(WAIT)).isTrue();
    }
  }

  @Test
  void oversizeRequestLinesAndHeadersAre414And431() {
    assertContractError(exchange("GET", "GET /" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: x\r\n\r\n"), 414);
    assertContractError(exchange("GET", "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(20_000) + "\r\n\r\n"),
        431);
  }

  @Test
  void http2WithoutTlsIsNotSpokenUnlessConfigured() {
    RawHttp.Response r = exchange("GET", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
    assertThat(r.status()).isNotNull().isBetween(400, 499);
  }

  @Test
  void theConsoleWebSocketPathWithoutAnUpgradeIs400() {
    assertContractError(exchange("GET", "GET /vnc/console/websockify?token=x HTTP/1.1\r\nHost: x\r\n\r\n"), 400);
  }
}
