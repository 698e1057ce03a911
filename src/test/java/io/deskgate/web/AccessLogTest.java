package io.deskgate.web;

import static io.deskgate.testing.TestNode.PROJECT;
import static org.assertj.core.api.Assertions.assertThat;

import io.deskgate.testing.LogCapture;
import io.deskgate.testing.Signer;
import io.deskgate.testing.TestNode;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The access log as on-call engineers read it: who called (also when refused), from where, with what
 * user agent, and no line per file of a page at INFO.
 */
class AccessLogTest {

  static TestNode node;

  @BeforeAll
  static void start() {
    node = TestNode.start(TestNode.standardInventory(TestNode.closedPort()));
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  static String lineOf(LogCapture log, String requestText) {
    assertThat(log.awaitLine(requestText)).as("an access line for " + requestText).isTrue();
    return log.lines().stream().filter(l -> l.startsWith("deskgate.http") && l.contains(requestText)).findFirst()
        .orElseThrow();
  }

  @Test
  void aCallNamesItsCallerClientAndUserAgent() {
    String token = node.token("alice", "alice-pass-1", PROJECT);
    try (LogCapture log = new LogCapture()) {
      node.get("/v2/" + PROJECT + "/desktops", "X-Auth-Token", token, "User-Agent", "ops-check/1.0 (\"x\")");
      assertThat(lineOf(log, "GET /v2/" + PROJECT + "/desktops -> 200"))
          .contains("caller=alice@acme client=127.0.0.1 ua=\"ops-check/1.0 (_x_)\"");
    }
  }

  @Test
  void refusedCallsNameWhoTheyClaimedToBe() {
    try (LogCapture log = new LogCapture()) {
      new Signer(node, TestNode.ALICE_AK, "not-the-secret").get("/v2/" + PROJECT + "/desktops?limit=1");
      assertThat(lineOf(log, "-> 401")).contains("caller=ak:" + TestNode.ALICE_AK);
    }
    try (LogCapture log = new LogCapture()) {
      node.login("alice", "wrong-password", PROJECT);
      assertThat(lineOf(log, "POST /v3/auth/tokens -> 401")).contains("caller=alice@acme");
    }
    String otherProject = node.token("alice", "alice-pass-1", TestNode.OTHER_PROJECT);
    try (LogCapture log = new LogCapture()) {
      node.get("/v2/" + PROJECT + "/desktops", "X-Auth-Token", otherProject);
      assertThat(lineOf(log, "-> 403")).contains("caller=alice@acme");
    }
  }

  @Test
  void thePagesFilesAreNotLoggedAtInfoButThePageIs() {
    try (LogCapture log = new LogCapture()) {
      assertThat(node.get("/vnc/console/console.js").statusCode()).isEqualTo(200);
      assertThat(node.get("/vnc/console/vnc_auto.html").statusCode()).isEqualTo(200);
      assertThat(node.get("/vnc/console/no-such-file.js").statusCode()).isEqualTo(404);
      lineOf(log, "GET /vnc/console/vnc_auto.html -> 200");
      lineOf(log, "GET /vnc/console/no-such-file.js -> 404");
      List<String> lines = log.lines();
      assertThat(lines).noneMatch(l -> l.contains("GET /vnc/console/console.js"));
    }
  }
}
