package io.deskgate.auth;

import static io.deskgate.testing.TestNode.DESKTOP;
import static io.deskgate.testing.TestNode.PROJECT;
import static org.assertj.core.api.Assertions.assertThat;

import io.deskgate.testing.Signer;
import io.deskgate.testing.TestNode;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Access keys through IAM's credential calls: created with the secret shown once, listed without it,
 * disabled and deleted with immediate effect, managed only by their user or an admin; and the
 * lockout of a key after repeated signature failures.
 */
class CredentialApiTest {

  static final String CREDENTIALS = "/v3.0/OS-CREDENTIAL/credentials";
  static final String CONSOLE = "/v2/" + PROJECT + "/desktops/" + DESKTOP + "/remote-consoles";
  static TestNode node;
  static String alice;

  @BeforeAll
  static void start() {
    node = TestNode.start(TestNode.standardInventory(5999), Map.of(
        "DESKGATE_AUTH_AKSK_LOCKOUT_MAX_FAILURES", "3", "DESKGATE_AUTH_AKSK_LOCKOUT_LOCK_SECONDS", "2"));
    alice = node.token("alice", "alice-pass-1", PROJECT);
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  static String userId(String name) {
    return node.node().database().runNow(c -> io.deskgate.store.Sql.one(c, "SELECT id FROM users WHERE name = ?",
        rs -> rs.getString(1), name).orElseThrow());
  }

  static HttpResponse<String> create(String token, String userId, String description) {
    JsonObject credential = new JsonObject().put("description", description);
    if (userId != null) {
      credential.put("user_id", userId);
    }
    return node.send(node.request(CREDENTIALS).header("X-Auth-Token", token).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("credential", credential).encode())));
  }

  @Test
  void aKeyIsCreatedWithItsSecretShownOnceAndWorksForSignedCalls() {
    String bob = userId("bob");
    HttpResponse<String> created = create(alice, bob, "ci pipeline");
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    JsonObject credential = new JsonObject(created.body()).getJsonObject("credential");
    String ak = credential.getString("access");
    String sk = credential.getString("secret");
    assertThat(ak).matches("[A-Z0-9]{20}");
    assertThat(sk).hasSize(40);
    assertThat(credential.getString("status")).isEqualTo("active");
    assertThat(credential.getString("user_id")).isEqualTo(bob);
    assertThat(credential.getString("description")).isEqualTo("ci pipeline");
    assertThat(credential.getString("create_time")).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z");

    HttpResponse<String> listed = node.get(CREDENTIALS + "?user_id=" + bob, "X-Auth-Token", alice);
    assertThat(listed.statusCode()).isEqualTo(200);
    assertThat(listed.body()).contains(ak).doesNotContain(sk).doesNotContain("secret");
    String stored = node.node().database().runNow(c -> io.deskgate.store.Sql.one(c,
        "SELECT secret_enc FROM access_keys WHERE access_key = ?", rs -> rs.getString(1), ak).orElseThrow());
    assertThat(stored).doesNotContain(sk);

    Signer bobSigner = new Signer(node, ak, sk).header("X-Project-Id", PROJECT);
    assertThat(bobSigner.get("/v2/" + PROJECT + "/desktops/" + TestNode.BOB_DESKTOP + "/remote-consoles").statusCode())
        .isEqualTo(200);

    HttpResponse<String> disabled = node.send(node.request(CREDENTIALS + "/" + ak).header("X-Auth-Token", alice)
        .PUT(HttpRequest.BodyPublishers.ofString("{\"credential\":{\"status\":\"inactive\"}}")));
    assertThat(disabled.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(disabled.body()).getJsonObject("credential").getString("status")).isEqualTo("inactive");
    HttpResponse<String> refused = bobSigner.get("/v2/" + PROJECT + "/desktops/" + TestNode.BOB_DESKTOP + "/remote-consoles");
    assertThat(refused.statusCode()).isEqualTo(401);
    assertThat(new JsonObject(refused.body()).getString("error_msg"))
        .isEqualTo("Incorrect IAM authentication information: Get secretKey failed");

    node.send(node.request(CREDENTIALS + "/" + ak).header("X-Auth-Token", alice)
        .PUT(HttpRequest.BodyPublishers.ofString("{\"credential\":{\"status\":\"active\"}}")));
    assertThat(bobSigner.get("/v2/" + PROJECT + "/desktops/" + TestNode.BOB_DESKTOP + "/remote-consoles").statusCode())
        .isEqualTo(200);
    assertThat(node.send(node.request(CREDENTIALS + "/" + ak).header("X-Auth-Token", alice).DELETE()).statusCode())
        .isEqualTo(204);
    assertThat(bobSigner.get("/v2/" + PROJECT + "/desktops/" + TestNode.BOB_DESKTOP + "/remote-consoles").statusCode())
        .isEqualTo(401);
    assertThat(node.get(CREDENTIALS + "/" + ak, "X-Auth-Token", alice).statusCode()).isEqualTo(404);
  }

  @Test
  void usersManageOnlyTheirOwnKeysAndHaveAtMostTwo() {
    String bob = node.token("bob", "bob-pass-1", PROJECT);
    String victorId = userId("victor");
    HttpResponse<String> foreign = create(bob, victorId, "not mine");
    assertThat(foreign.statusCode()).isEqualTo(403);
    assertThat(node.get(CREDENTIALS + "?user_id=" + victorId, "X-Auth-Token", bob).statusCode()).isEqualTo(403);
    String own = new JsonObject(create(bob, null, "mine").body()).getJsonObject("credential").getString("access");
    assertThat(create(bob, null, "second").statusCode()).isEqualTo(201);
    HttpResponse<String> third = create(bob, null, "third");
    assertThat(third.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(third.body()).getString("error_msg")).contains("at most 2 access keys");
    String victor = node.token("victor", "victor-pass-1", PROJECT);
    assertThat(node.send(node.request(CREDENTIALS + "/" + own).header("X-Auth-Token", victor).DELETE()).statusCode())
        .as("someone else's key looks like no key").isEqualTo(404);
  }

  @Test
  void signedCallsManageKeysToo() {
    Signer signer = new Signer(node, TestNode.ALICE_AK, TestNode.ALICE_SK);
    HttpResponse<String> listed = signer.get(CREDENTIALS + "?user_id=" + userId("alice"));
    assertThat(listed.statusCode()).as(listed.body()).isEqualTo(200);
    assertThat(listed.body()).contains(TestNode.ALICE_AK);
    String body = new JsonObject().put("credential", new JsonObject().put("user_id", userId("alice"))).encode();
    for (Signer way : List.of(
        new Signer(node, TestNode.ALICE_AK, TestNode.ALICE_SK).chunked(),
        new Signer(node, TestNode.ALICE_AK, TestNode.ALICE_SK).chunked().contentSha256Header())) {
      HttpResponse<String> created = way.send("POST", CREDENTIALS, body);
      assertThat(created.statusCode()).as("a chunked JSON body, signed: " + created.body()).isEqualTo(201);
      String ak = new JsonObject(created.body()).getJsonObject("credential").getString("access");
      assertThat(way.send("DELETE", CREDENTIALS + "/" + ak, "").statusCode()).isEqualTo(204);
    }
  }

  @Test
  void repeatedSignatureFailuresLockThatKeyForAWhileAndNoOther() throws Exception {
    String victor = node.token("victor", "victor-pass-1", PROJECT);
    JsonObject key = new JsonObject(create(victor, null, "to lock").body()).getJsonObject("credential");
    String ak = key.getString("access");
    String sk = key.getString("secret");
    Signer wrong = new Signer(node, ak, "not-the-secret").header("X-Project-Id", PROJECT);
    Signer right = new Signer(node, ak, sk).header("X-Project-Id", PROJECT);
    String read = "/v2/" + PROJECT + "/desktops/" + DESKTOP;
    assertThat(right.get(read).statusCode()).isEqualTo(200);
    for (int i = 0; i < 3; i++) {
      assertThat(wrong.get(read).statusCode()).isEqualTo(401);
    }
    HttpResponse<String> locked = right.get(read);
    assertThat(locked.statusCode()).isEqualTo(401);
    assertThat(new JsonObject(locked.body()).getString("error_code")).isEqualTo("APIGW.0301");
    assertThat(new JsonObject(locked.body()).getString("error_msg")).contains("locked");
    assertThat(new Signer(node, TestNode.ALICE_AK, TestNode.ALICE_SK).header("X-Project-Id", PROJECT).get(read)
        .statusCode()).as("another key").isEqualTo(200);
    Thread.sleep(2100);
    assertThat(right.get(read).statusCode()).as("after lock_seconds").isEqualTo(200);
  }

  @Test
  void anAdminDecodesAnAuthorizationMessageNobodyElseCan() {
    String victor = node.token("victor", "victor-pass-1", PROJECT);
    String encoded = new JsonObject(node.remoteConsole(PROJECT, DESKTOP, "X-Auth-Token", victor).body())
        .getString("encoded_authorization_message");
    String body = new JsonObject().put("encoded_authorization_message", encoded).encode();
    HttpResponse<String> decoded = node.send(node.request("/v5/decode-authorization-message")
        .header("X-Auth-Token", alice).POST(HttpRequest.BodyPublishers.ofString(body)));
    assertThat(decoded.statusCode()).as(decoded.body()).isEqualTo(200);
    JsonObject reason = new JsonObject(new JsonObject(decoded.body()).getString("decoded_authorization_message"));
    assertThat(reason.getString("user_name")).isEqualTo("victor");
    assertThat(reason.getString("action")).isEqualTo("workspace:desktops:createConsole");
    assertThat(reason.getString("missing_permission")).isEqualTo("workspace:desktops:createConsole");
    assertThat(node.send(node.request("/v5/decode-authorization-message").header("X-Auth-Token", victor)
        .POST(HttpRequest.BodyPublishers.ofString(body))).statusCode()).isEqualTo(403);
    assertThat(node.send(node.request("/v5/decode-authorization-message").header("X-Auth-Token", alice)
        .POST(HttpRequest.BodyPublishers.ofString("{\"encoded_authorization_message\":\"v1.forged\"}"))).statusCode())
        .isEqualTo(400);
  }
}
