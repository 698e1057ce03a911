package io.deskgate.auth;

import static io.deskgate.testing.TestNode.DESKTOP;
import static io.deskgate.testing.TestNode.OTHER_PROJECT;
import static io.deskgate.testing.TestNode.PROJECT;
import static org.assertj.core.api.Assertions.assertThat;

import io.deskgate.testing.TestNode;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code /v3/auth/tokens}: password login with project scope, validation, revocation, Keystone errors. */
class IamTokenApiTest {

  static TestNode node;

  @BeforeAll
  static void start() {
    node = TestNode.start(TestNode.standardInventory(5999));
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  @Test
  void passwordLoginScopedByProjectIdAnswers201WithTheSubjectTokenAndTheTokenBody() {
    HttpResponse<String> r = node.login("alice", "alice-pass-1", PROJECT);
    assertThat(r.statusCode()).isEqualTo(201);
    assertThat(r.headers().firstValue("X-Subject-Token")).hasValueSatisfying(t -> assertThat(t).hasSize(43));
    assertThat(r.headers().firstValue("X-Request-Id")).isPresent();
    JsonObject token = new JsonObject(r.body()).getJsonObject("token");
    assertThat(token.getJsonArray("methods").getList()).containsExactly("password");
    assertThat(token.getJsonObject("project").getString("id")).isEqualTo(PROJECT);
    assertThat(token.getJsonObject("project").getString("name")).isEqualTo("region-1");
    assertThat(token.getJsonObject("project").getJsonObject("domain").getString("name")).isEqualTo("acme");
    assertThat(token.getJsonObject("user").getString("name")).isEqualTo("alice");
    assertThat(token.getJsonObject("user").getJsonObject("domain").getString("name")).isEqualTo("acme");
    assertThat(token.getJsonArray("roles").getJsonObject(0).getString("name")).isEqualTo("workspace_admin");
    String issued = token.getString("issued_at");
    String expires = token.getString("expires_at");
    assertThat(issued).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}000Z");
    assertThat(Duration.between(Instant.parse(issued), Instant.parse(expires))).isEqualTo(Duration.ofHours(24));
    assertThat(r.body()).doesNotContain("alice-pass-1");
  }

  @Test
  void scopeByProjectName() {
    JsonObject body = TestNode.loginBody("alice", "alice-pass-1", null);
    body.getJsonObject("auth").put("scope", new JsonObject().put("project", new JsonObject().put("name", "region-2")));
    HttpResponse<String> r = post(body);
    assertThat(r.statusCode()).isEqualTo(201);
    assertThat(new JsonObject(r.body()).getJsonObject("token").getJsonObject("project").getString("id"))
        .isEqualTo(OTHER_PROJECT);
  }

  @Test
  void wrongCredentialsAnswer401InKeystoneShape() {
    for (HttpResponse<String> r : new HttpResponse[] {
        node.login("alice", "wrong", PROJECT), node.login("nobody", "alice-pass-1", PROJECT)}) {
      assertThat(r.statusCode()).isEqualTo(401);
      assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
      assertThat(r.headers().firstValue("X-Subject-Token")).isEmpty();
      JsonObject error = new JsonObject(r.body()).getJsonObject("error");
      assertThat(error.getInteger("code")).isEqualTo(401);
      assertThat(error.getString("title")).isEqualTo("Unauthorized");
      assertThat(error.getString("message")).isEqualTo("The username or password is wrong.");
    }
  }

  @Test
  void aProjectTheUserIsNotAMemberOfIsRefused() {
    HttpResponse<String> r = node.login("bob", "bob-pass-1", OTHER_PROJECT);
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(new JsonObject(r.body()).getJsonObject("error").getString("message"))
        .isEqualTo("The user has no access to the requested project.");
  }

  @Test
  void malformedBodiesAnswer400InKeystoneShape() {
    for (String body : new String[] {"not json", "[]", "{}", "{\"auth\":{\"identity\":{\"methods\":[\"token\"]}}}",
        TestNode.loginBody("alice", "alice-pass-1", null).encode()}) {
      HttpResponse<String> r = node.send(node.request("/v3/auth/tokens").header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(body)));
      assertThat(r.statusCode()).as(body).isEqualTo(400);
      assertThat(new JsonObject(r.body()).getJsonObject("error").getString("title")).isEqualTo("Bad Request");
    }
  }

  @Test
  void validateAnswersTheTokenBodyOr404() {
    String token = node.token("alice", "alice-pass-1", PROJECT);
    HttpResponse<String> ok = node.get("/v3/auth/tokens", "X-Auth-Token", token, "X-Subject-Token", token);
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(ok.body()).getJsonObject("token").getJsonObject("user").getString("name"))
        .isEqualTo("alice");
    HttpResponse<String> unknown = node.get("/v3/auth/tokens", "X-Auth-Token", token, "X-Subject-Token",
        Digests.randomToken(32));
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(new JsonObject(unknown.body()).getJsonObject("error").getString("title")).isEqualTo("Not Found");
    HttpResponse<String> noCaller = node.get("/v3/auth/tokens", "X-Subject-Token", token);
    assertThat(noCaller.statusCode()).isEqualTo(401);
  }

  @Test
  void anotherUsersTokenCannotBeValidatedOrRevoked() {
    String alice = node.token("alice", "alice-pass-1", PROJECT);
    String bob = node.token("bob", "bob-pass-1", PROJECT);
    assertThat(node.get("/v3/auth/tokens", "X-Auth-Token", bob, "X-Subject-Token", alice).statusCode()).isEqualTo(403);
    assertThat(node.send(node.request("/v3/auth/tokens").DELETE().header("X-Auth-Token", bob)
        .header("X-Subject-Token", alice)).statusCode()).isEqualTo(403);
    assertThat(node.remoteConsole(PROJECT, DESKTOP, "X-Auth-Token", alice).statusCode()).isEqualTo(200);
  }

  @Test
  void revokedTokensStopWorkingAtOnce() {
    String token = node.token("alice", "alice-pass-1", PROJECT);
    assertThat(node.remoteConsole(PROJECT, DESKTOP, "X-Auth-Token", token).statusCode()).isEqualTo(200);
    assertThat(node.send(node.request("/v3/auth/tokens").DELETE().header("X-Auth-Token", token)
        .header("X-Subject-Token", token)).statusCode()).isEqualTo(204);
    assertThat(node.remoteConsole(PROJECT, DESKTOP, "X-Auth-Token", token).statusCode()).isEqualTo(401);
    assertThat(node.get("/v3/auth/tokens", "X-Auth-Token", token, "X-Subject-Token", token).statusCode()).isEqualTo(401);
  }

  @Test
  void tokensAreStoredOnlyAsHashes() {
    String token = node.token("alice", "alice-pass-1", PROJECT);
    long plain = node.node().database().runNow(c -> io.deskgate.store.Sql.one(c,
        "SELECT COUNT(*) FROM iam_tokens WHERE token_hash = ?", rs -> rs.getLong(1), token).orElse(0L));
    long hashed = node.node().database().runNow(c -> io.deskgate.store.Sql.one(c,
        "SELECT COUNT(*) FROM iam_tokens WHERE token_hash = ?", rs -> rs.getLong(1), Digests.sha256Hex(token)).orElse(0L));
    assertThat(plain).isZero();
    assertThat(hashed).isEqualTo(1);
  }

  private static HttpResponse<String> post(JsonObject body) {
    return node.send(node.request("/v3/auth/tokens").header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body.encode())));
  }
}
