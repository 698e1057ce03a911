package io.deskgate;

import static org.assertj.core.api.Assertions.assertThat;

import io.deskgate.testing.IssuedTokens;
import io.deskgate.testing.RawHttp;
import io.deskgate.testing.TestNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * Runs after every other test class: no console or IAM token handed out during the whole run appears in
 * any line the run logged (target/test-logs/deskgate.log, written with production's masked pattern),
 * including tokens sent in shapes meant to reach logs: malformed URIs, percent-encoded queries, bodies.
 */
@Order(Integer.MAX_VALUE)
class TokensNeverLoggedTest {

  static final Path LOG = Path.of("target/test-logs/deskgate.log");

  @Test
  void noTokenOfTheRunIsInItsLogs() throws Exception {
    try (TestNode node = TestNode.start(TestNode.standardInventory(TestNode.closedPort()))) {
      String token = TestNode.tokenOf(node.consoleUrl(TestNode.DESKTOP));
      for (String target : List.of(
          "/vnc/console/websockify%3Ftoken%3D" + token,
          "/vnc/console/vnc_lite.html?path=websockify%3Ftoken%3D" + token + "%zz",
          "/v2/%zz/x?token=" + token,
          "/v2/%00?token=" + token,
          "/vnc/console/websockify?token=" + token + "%0")) {
        try (RawHttp http = new RawHttp(node.node().port())) {
          http.send("GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n");
          assertThat(http.read("GET", Duration.ofSeconds(5)).status()).isNotNull().isLessThan(500);
        }
      }
      try (RawHttp http = new RawHttp(node.node().port())) {
        String body = "{\"token\":\"" + token + "\",\"x\":\"\\u0000\"}";
        http.send("POST /vnc/console/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
            + body.length() + "\r\n\r\n" + body);
        assertThat(http.read("POST", Duration.ofSeconds(5)).status()).isEqualTo(400);
      }
    }
    // the appender writes as events come; give the last lines a moment
    Thread.sleep(200);
    String logged = Files.readString(LOG);
    List<String> tokens = IssuedTokens.all();
    assertThat(tokens).isNotEmpty();
    assertThat(logged).contains("refused: The request URI");
    for (String token : tokens) {
      assertThat(logged).as("a token of this run in its logs").doesNotContain(token);
    }
  }
}
