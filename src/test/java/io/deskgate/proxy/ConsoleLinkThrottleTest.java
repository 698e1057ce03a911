package io.deskgate.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.deskgate.provider.XvncDesktop;
import io.deskgate.testing.ConsoleClient;
import io.deskgate.testing.RfbClient;
import io.deskgate.testing.TestNode;
import io.deskgate.testing.Workspace;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Guessing console links: after five wrong links in a row, a client address must wait (1 s, doubling),
 * on the WebSocket (close 4429) and on the page's session call (429), before the store is asked, so
 * its real link is not spent; other addresses are not affected. The address comes from a trusted
 * proxy's X-Forwarded-For; a client that is not a trusted proxy cannot pick one, and the session list
 * shows each console's client address.
 */
class ConsoleLinkThrottleTest {

  static final Duration WAIT = Duration.ofSeconds(10);

  static ConsoleClient open(TestNode node, String token, String from) {
    return ConsoleClient.connect(ConsoleClient.urlWithToken(node, token), null, List.of(), Map.of("X-Forwarded-For", from));
  }

  static HttpResponse<String> page(TestNode node, String token, String from) {
    return node.send(node.request("/vnc/console/session").header("Content-Type", "application/json")
        .header("X-Forwarded-For", from).POST(HttpRequest.BodyPublishers.ofString("{\"token\":\"" + token + "\"}")));
  }

  /** The project's session list once it shows a console (it is written as the session starts). */
  static String sessionList(TestNode node) {
    String auth = node.token("alice", "alice-pass-1", TestNode.PROJECT);
    return Workspace.until(() -> node.get("/v2/" + TestNode.PROJECT + "/console-sessions", "X-Auth-Token", auth).body(),
        body -> body.contains("client_address"), WAIT, "a console in the session list");
  }

  @Test
  void wrongLinksInARowMakeTheAddressWaitAndOnlyThatAddress() throws Exception {
    try (XvncDesktop vnc = XvncDesktop.start(Files.createTempDirectory("deskgate-xvnc"), "throttle", null, "320x240");
         TestNode node = TestNode.start(TestNode.standardInventory(vnc.port()), Map.of(
             "DESKGATE_HTTP_TRUSTED_PROXIES", "127.0.0.1/32",
             "DESKGATE_CONSOLE_REDEEM_LIMIT_REQUESTS_PER_SECOND", "2"))) {
      String guesser = "192.0.2.50";
      for (int i = 0; i < 5; i++) {
        try (ConsoleClient ws = open(node, UUID.randomUUID().toString(), guesser)) {
          assertThat(ws.awaitClose(WAIT).code()).isEqualTo((short) 4401);
        }
      }
      String realLink = TestNode.tokenOf(node.consoleUrl(TestNode.DESKTOP));
      try (ConsoleClient ws = open(node, UUID.randomUUID().toString(), guesser)) {
        assertThat(ws.awaitClose(WAIT).code()).isEqualTo((short) 4401);
      }
      try (ConsoleClient ws = open(node, realLink, guesser)) {
        ConsoleClient.Close close = ws.awaitClose(WAIT);
        assertThat(close.code()).isEqualTo((short) 4429);
        assertThat(close.reason()).isEqualTo("too many console links tried, retry later");
      }
      HttpResponse<String> throttledPage = page(node, realLink, guesser);
      assertThat(throttledPage.statusCode()).isEqualTo(429);
      assertThat(throttledPage.body()).contains("APIGW.0308");
      assertThat(page(node, realLink, "192.0.2.51").statusCode()).as("another address").isEqualTo(200);

      Thread.sleep(1100);
      try (ConsoleClient ws = open(node, realLink, guesser)) {
        assertThat(new RfbClient(ws).readVersion()).as("the link was not spent while refused").isEqualTo("RFB 003.008\n");
        assertThat(sessionList(node)).contains("\"client_address\":\"" + guesser + "\"");
      }
    }
  }

  @Test
  void anUntrustedPeerCannotChooseItsAddress() throws Exception {
    try (XvncDesktop vnc = XvncDesktop.start(Files.createTempDirectory("deskgate-xvnc"), "forged", null, "320x240");
         TestNode node = TestNode.start(TestNode.standardInventory(vnc.port()))) {
      try (ConsoleClient ws = open(node, TestNode.tokenOf(node.consoleUrl(TestNode.DESKTOP)), "192.0.2.77")) {
        assertThat(new RfbClient(ws).readVersion()).isEqualTo("RFB 003.008\n");
        assertThat(sessionList(node)).contains("\"client_address\":\"127.0.0.1\"").doesNotContain("192.0.2.77");
      }
    }
  }
}
