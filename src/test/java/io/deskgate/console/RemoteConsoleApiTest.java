package io.deskgate.console;

import static io.deskgate.testing.TestNode.ALICE_AK;
import static io.deskgate.testing.TestNode.ALICE_SK;
import static io.deskgate.testing.TestNode.BOB_DESKTOP;
import static io.deskgate.testing.TestNode.DESKTOP;
import static io.deskgate.testing.TestNode.OTHER_DESKTOP;
import static io.deskgate.testing.TestNode.OTHER_PROJECT;
import static io.deskgate.testing.TestNode.PROJECT;
import static org.assertj.core.api.Assertions.assertThat;

import io.deskgate.auth.Digests;
import io.deskgate.auth.Policy;
import io.deskgate.testing.Signer;
import io.deskgate.testing.TestNode;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /v2/{project_id}/desktops/{desktop_id}/remote-consoles} over real HTTP: the success
 * answer and every row of the contract's error table (spec section 2) that this call can produce,
 * each asserted on status, error_code, error_msg and X-Request-Id.
 */
class RemoteConsoleApiTest {

  static TestNode node;
  static String aliceToken;

  @BeforeAll
  static void start() {
    node = TestNode.start(TestNode.standardInventory(5999));
    aliceToken = node.token("alice", "alice-pass-1", PROJECT);
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  @Test
  void answersANovncUrlWithAFreshOneTimeToken() {
    HttpResponse<String> r = node.remoteConsole(PROJECT, DESKTOP, "X-Auth-Token", aliceToken,
        "Content-Type", "application/json");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(r.headers().firstValue("X-Request-Id")).hasValueSatisfying(id -> assertThat(id).matches("[0-9a-f]{32}"));
    JsonObject body = new JsonObject(r.body());
    assertThat(body.fieldNames()).containsExactlyInAnyOrder("type", "url", "protocol");
    assertThat(body.getString("type")).isEqualTo("novnc");
    assertThat(body.getString("protocol")).isEqualTo("vnc");
    assertThat(body.getString("url")).matches(node.baseUrl().replace(".", "\\.")
        + "/vnc/console/vnc_auto\\.html\\?token=[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}&lang=EN");
    String second = new JsonObject(node.remoteConsole(PROJECT, DESKTOP, "X-Auth-Token", aliceToken).body()).getString("url");
    assertThat(TestNode.tokenOf(second)).isNotEqualTo(TestNode.tokenOf(body.getString("url")));
  }

  @Test
  void theTokenIsStoredOnlyAsItsHashWithDesktopProjectUserAndTenMinuteExpiry() {
    String token = TestNode.tokenOf(node.consoleUrl(DESKTOP));
    List<Map<String, Object>> rows = node.node().database().runNow(c -> io.deskgate.store.Sql.list(c,
        "SELECT token_hash, desktop_id, project_id, user_id, created_at, expires_at, used_at FROM console_tokens",
        rs -> {
          Map<String, Object> row = new LinkedHashMap<>();
          for (int i = 1; i <= 7; i++) {
            row.put(rs.getMetaData().getColumnLabel(i).toLowerCase(), rs.getObject(i));
          }
          return row;
        }));
    assertThat(rows).noneMatch(row -> row.values().stream().anyMatch(v -> String.valueOf(v).contains(token)));
    Map<String, Object> mine = rows.stream()
        .filter(row -> Digests.sha256Hex(token).equals(row.get("token_hash"))).findFirst().orElseThrow();
    assertThat(mine.get("desktop_id")).isEqualTo(DESKTOP);
    assertThat(mine.get("project_id")).isEqualTo(PROJECT);
    assertThat(mine.get("user_id")).isNotNull();
    assertThat(mine.get("used_at")).isNull();
    assertThat(((Number) mine.get("expires_at")).longValue() - ((Number) mine.get("created_at")).longValue())
        .isEqualTo(600_000L);
  }

  @Test
  void theConsoleLanguageFollowsXLanguageThenAcceptLanguage() {
    assertThat(url("X-Language", "zh-cn")).endsWith("&lang=ZH-CN");
    assertThat(url("Accept-Language", "zh-CN,zh;q=0.9,en;q=0.8")).endsWith("&lang=ZH-CN");
    assertThat(url("Accept-Language", "fr-FR,en;q=0.5")).endsWith("&lang=EN");
    assertThat(url("X-Language", "en-us", "Accept-Language", "zh-CN")).endsWith("&lang=EN");
  }

  private String url(String... headers) {
    String[] all = new String[headers.length + 2];
    all[0] = "X-Auth-Token";
    all[1] = aliceToken;
    System.arraycopy(headers, 0, all, 2, headers.length);
    return new JsonObject(node.remoteConsole(PROJECT, DESKTOP, all).body()).getString("url");
  }

  // ---- 401 ----

  @Test
  void noCredentials() {
    expectError(node.remoteConsole(PROJECT, DESKTOP), 401, "APIGW.0301",
        "Incorrect IAM authentication information: x-auth-token not found");
  }

  @Test
  void malformedUnknownOrTamperedToken() {
    String msg = "Incorrect IAM authentication information: decrypt token fail";
    expectError(node.remoteConsole(PROJECT, DESKTOP, "X-Auth-Token", "not a token"), 401, "APIGW.0301", msg);
    expectError(node.remoteConsole(PROJECT, DESKTOP, "X-Auth-Token", Digests.randomToken(32)), 401, "APIGW.0301", msg);
    char last = aliceToken.charAt(aliceToken.length() - 1);
    String tampered = aliceToken.substring(0, aliceToken.length() - 1) + (last == 'A' ? 'B' : 'A');
    expectError(node.remoteConsole(PROJECT, DESKTOP, "X-Auth-Token", tampered), 401, "APIGW.0301", msg);
  }

  @Test
  void revokedToken() {
    String token = node.token("alice", "alice-pass-1", PROJECT);
    HttpResponse<String> revoked = node.send(node.request("/v3/auth/tokens").DELETE()
        .header("X-Auth-Token", token).header("X-Subject-Token", token));
    assertThat(revoked.statusCode()).isEqualTo(204);
    expectError(node.remoteConsole(PROJECT, DESKTOP, "X-Auth-Token", token), 401, "APIGW.0301",
        "Incorrect IAM authentication information: decrypt token fail");
  }

  @Test
  void expiredToken() {
    String token = node.token("alice", "alice-pass-1", PROJECT);
    node.sql("UPDATE iam_tokens SET expires_at = ? WHERE token_hash = ?", System.currentTimeMillis() - 1,
        Digests.sha256Hex(token));
    expectError(node.remoteConsole(PROJECT, DESKTOP, "X-Auth-Token", token), 401, "APIGW.0307",
        "The token must be updated.");
  }

  @Test
  void unknownAccessKey() {
    expectError(signed("AKNOBODY0000000001", ALICE_SK, PROJECT, DESKTOP, 0), 401, "APIGW.0301",
        "Incorrect IAM authentication information: Get secretKey failed");
  }

  @Test
  void wrongSignatureOrDateMoreThanFifteenMinutesOff() {
    String msg = "Incorrect IAM authentication information: verify aksk signature fail";
    expectError(signed(ALICE_AK, "wrong-secret", PROJECT, DESKTOP, 0), 401, "APIGW.0301", msg);
    expectError(signed(ALICE_AK, ALICE_SK, PROJECT, DESKTOP, 16), 401, "APIGW.0301", msg);
    expectError(signed(ALICE_AK, ALICE_SK, PROJECT, DESKTOP, -16), 401, "APIGW.0301", msg);
  }

  @Test
  void aCorrectSignatureWithinTheClockWindowIsAccepted() {
    HttpResponse<String> r = signed(ALICE_AK, ALICE_SK, PROJECT, DESKTOP, 14);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(new JsonObject(r.body()).getString("type")).isEqualTo("novnc");
  }

  // ---- 403 ----

  @Test
  void pathProjectIsNotTheCallersProject() {
    String msg = "The IAM user is not authorized to access the API.";
    expectError(node.remoteConsole(OTHER_PROJECT, OTHER_DESKTOP, "X-Auth-Token", aliceToken), 403, "APIGW.0302", msg);
    expectError(node.remoteConsole("ffffffffffffffffffffffffffffffff", DESKTOP, "X-Auth-Token", aliceToken), 403,
        "APIGW.0302", msg);
    Map<String, String> extra = Map.of("X-Project-Id", OTHER_PROJECT);
    expectError(signed(ALICE_AK, ALICE_SK, PROJECT, DESKTOP, 0, extra), 403, "APIGW.0302", msg);
  }

  @Test
  void policyDeniesAViewerWithASealedReason() {
    String viewer = node.token("victor", "victor-pass-1", PROJECT);
    HttpResponse<String> r = node.remoteConsole(PROJECT, DESKTOP, "X-Auth-Token", viewer);
    JsonObject body = expectError(r, 403, "WKS.00000403",
        "no permission to perform workspace:desktops:createConsole on desktop " + DESKTOP + ".");
    String encoded = body.getString("encoded_authorization_message");
    assertThat(encoded).isNotBlank().doesNotContain("victor").doesNotContain("createConsole");
    JsonObject reason = new Policy(node.node().secrets()).decode(encoded);
    assertThat(reason.getString("user_name")).isEqualTo("victor");
    assertThat(reason.getString("action")).isEqualTo("workspace:desktops:createConsole");
    assertThat(reason.getString("missing_permission")).isEqualTo("workspace:desktops:createConsole");
    assertThat(reason.getString("resource")).isEqualTo("desktop " + DESKTOP);
  }

  @Test
  void aWorkspaceUserOpensOnlyTheirOwnDesktops() {
    String bob = node.token("bob", "bob-pass-1", PROJECT);
    assertThat(node.remoteConsole(PROJECT, BOB_DESKTOP, "X-Auth-Token", bob).statusCode()).isEqualTo(200);
    expectError(node.remoteConsole(PROJECT, DESKTOP, "X-Auth-Token", bob), 403, "WKS.00000403",
        "no permission to perform workspace:desktops:createConsole on desktop " + DESKTOP + ".");
  }

  // ---- 404 / 409 / 400 ----

  @Test
  void unknownDesktopOrDesktopOfAnotherProject() {
    expectError(node.remoteConsole(PROJECT, "no-such-desktop", "X-Auth-Token", aliceToken), 404, "WKS.00000404",
        "The desktop does not exist.");
    expectError(node.remoteConsole(PROJECT, OTHER_DESKTOP, "X-Auth-Token", aliceToken), 404, "WKS.00000404",
        "The desktop does not exist.");
  }

  @Test
  void desktopNotActiveOrWithATaskInProgress() {
    String id = "conflict-desktop";
    node.addDesktop(id, 5999);
    node.sql("UPDATE desktops SET status = 'SHUTOFF' WHERE id = ?", id);
    expectError(node.remoteConsole(PROJECT, id, "X-Auth-Token", aliceToken), 409, "WKS.00010032",
        "Operation conflict. The desktop current instance status is [SHUTOFF] and deny operation [createConsole], "
            + "resource id [conflict-desktop].");
    node.sql("UPDATE desktops SET status = 'ACTIVE', task_status = 'rebooting' WHERE id = ?", id);
    expectError(node.remoteConsole(PROJECT, id, "X-Auth-Token", aliceToken), 409, "WKS.00010032",
        "Operation conflict. The desktop current instance status is [rebooting] and deny operation [createConsole], "
            + "resource id [conflict-desktop].");
  }

  @Test
  void badDesktopId() {
    String msg = "desktop_id must be 1-255 characters: letters, digits, '-', '_' or '.'.";
    expectError(node.remoteConsole(PROJECT, "a".repeat(256), "X-Auth-Token", aliceToken), 400, "WKS.00000400", msg);
    expectError(node.remoteConsole(PROJECT, "bad%20id", "X-Auth-Token", aliceToken), 400, "WKS.00000400", msg);
  }

  // ---- routes ----

  @Test
  void unknownRouteOrMethod() {
    String msg = "The API does not exist or has not been published in the environment.";
    expectError(node.get("/v2/" + PROJECT + "/nothing-here"), 404, "APIGW.0101", msg);
    expectError(node.send(node.request("/v2/" + PROJECT + "/desktops/" + DESKTOP + "/remote-consoles")
        .POST(HttpRequest.BodyPublishers.ofString("{}")).header("X-Auth-Token", aliceToken)), 404, "APIGW.0101", msg);
    expectError(node.get("/"), 404, "APIGW.0101", msg);
  }

  @Test
  void aForgottenProjectIdPlaceholderIsNeverA500() {
    expectError(node.remoteConsole("%7Bproject_id%7D", DESKTOP), 404, "APIGW.0101",
        "The API does not exist or has not been published in the environment.");
    expectError(node.remoteConsole("%7Bproject_id%7D", DESKTOP, "X-Auth-Token", aliceToken), 404, "APIGW.0101",
        "The API does not exist or has not been published in the environment.");
  }

  // ---- 429 / 500 ----

  @Test
  void throttledBeyondTheRateLimit() {
    try (TestNode limited = TestNode.start(TestNode.standardInventory(5999), Map.of(
        "DESKGATE_API_RATE_LIMIT_REQUESTS_PER_SECOND", "1", "DESKGATE_API_RATE_LIMIT_BURST", "3"))) {
      String token = limited.token("alice", "alice-pass-1", PROJECT);
      List<HttpResponse<String>> answers = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        answers.add(limited.remoteConsole(PROJECT, DESKTOP, "X-Auth-Token", token));
      }
      assertThat(answers.subList(0, 3)).allSatisfy(r -> assertThat(r.statusCode()).isEqualTo(200));
      expectError(answers.get(5), 429, "APIGW.0308", "The throttling threshold has been reached.");
      String otherUser = limited.token("bob", "bob-pass-1", PROJECT);
      assertThat(limited.remoteConsole(PROJECT, BOB_DESKTOP, "X-Auth-Token", otherUser).statusCode())
          .as("another user has an allowance of their own").isEqualTo(200);
    }
  }

  @Test
  void anInternalErrorIsABare500WithoutAStackTrace() {
    try (io.deskgate.testing.LogCapture logs = new io.deskgate.testing.LogCapture()) {
      node.sql("ALTER TABLE console_tokens RENAME TO console_tokens_moved");
      HttpResponse<String> r = node.remoteConsole(PROJECT, DESKTOP, "X-Auth-Token", aliceToken);
      expectError(r, 500, "WKS.00000500", "Internal error.");
      String requestId = r.headers().firstValue("X-Request-Id").orElseThrow();
      assertThat(logs.awaitLine("req=" + requestId + " GET")).isTrue();
      assertThat(logs.lines()).anyMatch(l -> l.contains("req=" + requestId) && l.contains("internal error"));
    } finally {
      node.sql("ALTER TABLE console_tokens_moved RENAME TO console_tokens");
    }
    assertThat(node.remoteConsole(PROJECT, DESKTOP, "X-Auth-Token", aliceToken).statusCode()).isEqualTo(200);
  }

  /** Asserts the contract's error format and returns the body. */
  static JsonObject expectError(HttpResponse<String> r, int status, String code, String message) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
    String requestId = r.headers().firstValue("X-Request-Id").orElseThrow();
    JsonObject body = new JsonObject(r.body());
    assertThat(body.getString("error_code")).isEqualTo(code);
    assertThat(body.getString("error_msg")).isEqualTo(message);
    assertThat(body.getString("request_id")).isEqualTo(requestId);
    assertThat(r.body()).doesNotContain("Exception").doesNotContain("\tat ");
    return body;
  }

  private static HttpResponse<String> signed(String ak, String sk, String project, String desktop, int minutesOff) {
    return signed(ak, sk, project, desktop, minutesOff, Map.of());
  }

  private static HttpResponse<String> signed(String ak, String sk, String project, String desktop, int minutesOff,
                                             Map<String, String> extraHeaders) {
    Signer signer = new Signer(node, ak, sk).clockOff(minutesOff).header("X-Project-Id", project);
    extraHeaders.forEach(signer::header);
    return signer.get("/v2/" + project + "/desktops/" + desktop + "/remote-consoles");
  }
}
