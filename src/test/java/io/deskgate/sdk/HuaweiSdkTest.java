package io.deskgate.sdk;

import static io.deskgate.testing.TestNode.ALICE_AK;
import static io.deskgate.testing.TestNode.ALICE_SK;
import static io.deskgate.testing.TestNode.BOB_DESKTOP;
import static io.deskgate.testing.TestNode.DESKTOP;
import static io.deskgate.testing.TestNode.OTHER_PROJECT;
import static io.deskgate.testing.TestNode.PROJECT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.huaweicloud.sdk.core.auth.BasicCredentials;
import com.huaweicloud.sdk.core.exception.ClientRequestException;
import com.huaweicloud.sdk.core.http.HttpConfig;
import com.huaweicloud.sdk.workspace.v2.WorkspaceClient;
import com.huaweicloud.sdk.workspace.v2.model.DesktopDetailInfo;
import com.huaweicloud.sdk.workspace.v2.model.ListDesktopsDetailRequest;
import com.huaweicloud.sdk.workspace.v2.model.ListDesktopsDetailResponse;
import com.huaweicloud.sdk.workspace.v2.model.ListDesktopsRequest;
import com.huaweicloud.sdk.workspace.v2.model.ListDesktopsResponse;
import com.huaweicloud.sdk.workspace.v2.model.ShowDesktopDetailRequest;
import com.huaweicloud.sdk.workspace.v2.model.ShowRemoteConsoleAddressRequest;
import com.huaweicloud.sdk.workspace.v2.model.ShowRemoteConsoleAddressResponse;
import io.deskgate.provider.XvncDesktop;
import io.deskgate.testing.ConsoleClient;
import io.deskgate.testing.LogCapture;
import io.deskgate.testing.RfbClient;
import io.deskgate.testing.TestNode;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Huawei's official Java SDK ({@code huaweicloud-sdk-workspace}), unchanged, as the client: AK/SK
 * signing, the remote-console call, every error class through the SDK's exceptions, the desktop reads,
 * and the same over HTTPS with a self-signed certificate.
 */
class HuaweiSdkTest {

  static XvncDesktop desktop;
  static TestNode node;
  static String victorAk;
  static String victorSk;
  static String bobAk;
  static String bobSk;

  @BeforeAll
  static void start() throws Exception {
    desktop = XvncDesktop.start(Files.createTempDirectory("deskgate-xvnc"), "sdk-desk", null, "640x480");
    node = TestNode.start(TestNode.standardInventory(desktop.port()).replace(
        "computer_name: dev-01, user_name: alice,",
        "computer_name: dev-01, user_name: alice, ip_addresses: [10.0.0.12], metadata: {os: linux},"));
    String alice = node.token("alice", "alice-pass-1", PROJECT);
    JsonObject victor = credential(alice, "victor");
    victorAk = victor.getString("access");
    victorSk = victor.getString("secret");
    JsonObject bob = credential(alice, "bob");
    bobAk = bob.getString("access");
    bobSk = bob.getString("secret");
  }

  @AfterAll
  static void stop() {
    node.close();
    desktop.close();
  }

  private static JsonObject credential(String adminToken, String userName) {
    String userId = node.node().database().runNow(c -> io.deskgate.store.Sql.one(c,
        "SELECT id FROM users WHERE name = ?", rs -> rs.getString(1), userName).orElseThrow());
    String body = new JsonObject().put("credential", new JsonObject().put("user_id", userId)).encode();
    return new JsonObject(node.send(node.request("/v3.0/OS-CREDENTIAL/credentials").header("X-Auth-Token", adminToken)
        .POST(HttpRequest.BodyPublishers.ofString(body))).body()).getJsonObject("credential");
  }

  static WorkspaceClient client(TestNode target, String ak, String sk, String project) {
    return WorkspaceClient.newBuilder()
        .withHttpConfig(HttpConfig.getDefaultHttpConfig().withIgnoreSSLVerification(true))
        .withCredential(new BasicCredentials().withAk(ak).withSk(sk).withProjectId(project))
        .withEndpoints(List.of(target.baseUrl()))
        .build();
  }

  private static ShowRemoteConsoleAddressRequest console(String desktopId) {
    return new ShowRemoteConsoleAddressRequest().withDesktopId(desktopId);
  }

  @Test
  void showRemoteConsoleAddressAnswersAUrlThatOpensTheConsole() {
    ShowRemoteConsoleAddressResponse r = client(node, ALICE_AK, ALICE_SK, PROJECT).showRemoteConsoleAddress(console(DESKTOP));
    assertThat(r.getHttpStatusCode()).isEqualTo(200);
    assertThat(r.getType()).isEqualTo("novnc");
    assertThat(r.getProtocol()).isEqualTo("vnc");
    assertThat(r.getUrl()).startsWith(node.baseUrl() + "/vnc/console/vnc_auto.html?token=");
    try (ConsoleClient ws = ConsoleClient.connect(ConsoleClient.urlWithToken(node, TestNode.tokenOf(r.getUrl())), null,
        List.of())) {
      assertThat(new RfbClient(ws).handshake().name()).as("the computer_name").isEqualTo("dev-01");
    }
  }

  @Test
  void anUnknownDesktopIsA404WithOurCodeAndTheRequestIdOfOurLog() {
    try (LogCapture logs = new LogCapture()) {
      ClientRequestException e = catchThrowableOfType(ClientRequestException.class,
          () -> client(node, ALICE_AK, ALICE_SK, PROJECT).showRemoteConsoleAddress(console("no-such-desktop")));
      assertThat(e.getHttpStatusCode()).isEqualTo(404);
      assertThat(e.getErrorCode()).isEqualTo("WKS.00000404");
      assertThat(e.getErrorMsg()).isEqualTo("The desktop does not exist.");
      assertThat(e.getRequestId()).matches("[0-9a-f]{32}");
      assertThat(logs.awaitLine("req=" + e.getRequestId() + " GET /v2/" + PROJECT)).as(logs.lines().toString()).isTrue();
    }
  }

  @Test
  void aStoppedDesktopIsA409() {
    node.addDesktop("sdk-stopped", desktop.port());
    node.sql("UPDATE desktops SET status = 'SHUTOFF' WHERE id = 'sdk-stopped'");
    ClientRequestException e = catchThrowableOfType(ClientRequestException.class,
        () -> client(node, ALICE_AK, ALICE_SK, PROJECT).showRemoteConsoleAddress(console("sdk-stopped")));
    assertThat(e.getHttpStatusCode()).isEqualTo(409);
    assertThat(e.getErrorCode()).isEqualTo("WKS.00010032");
    assertThat(e.getErrorMsg()).contains("[SHUTOFF]").contains("[createConsole]").contains("[sdk-stopped]");
  }

  @Test
  void aWrongSecretKeyIsA401() {
    ClientRequestException e = catchThrowableOfType(ClientRequestException.class,
        () -> client(node, ALICE_AK, "not-alices-secret", PROJECT).showRemoteConsoleAddress(console(DESKTOP)));
    assertThat(e.getHttpStatusCode()).isEqualTo(401);
    assertThat(e.getErrorCode()).isEqualTo("APIGW.0301");
    assertThat(e.getErrorMsg()).isEqualTo("Incorrect IAM authentication information: verify aksk signature fail");
  }

  @Test
  void anotherProjectsIdIsA403() {
    ClientRequestException e = catchThrowableOfType(ClientRequestException.class,
        () -> client(node, bobAk, bobSk, OTHER_PROJECT).showRemoteConsoleAddress(console(DESKTOP)));
    assertThat(e.getHttpStatusCode()).isEqualTo(403);
    assertThat(e.getErrorCode()).isEqualTo("APIGW.0302");
  }

  @Test
  void aViewerAskingForAConsoleIsA403WhoseEncodedReasonTheAdminDecodes() {
    ClientRequestException e = catchThrowableOfType(ClientRequestException.class,
        () -> client(node, victorAk, victorSk, PROJECT).showRemoteConsoleAddress(console(DESKTOP)));
    assertThat(e.getHttpStatusCode()).isEqualTo(403);
    assertThat(e.getErrorCode()).isEqualTo("WKS.00000403");
    String encoded = e.getEncodedAuthorizationMessage();
    assertThat(encoded).isNotBlank();
    String alice = node.token("alice", "alice-pass-1", PROJECT);
    JsonObject decoded = new JsonObject(node.send(node.request("/v5/decode-authorization-message")
        .header("X-Auth-Token", alice).POST(HttpRequest.BodyPublishers.ofString(
            new JsonObject().put("encoded_authorization_message", encoded).encode()))).body());
    JsonObject reason = new JsonObject(decoded.getString("decoded_authorization_message"));
    assertThat(reason.getString("user_name")).isEqualTo("victor");
    assertThat(reason.getString("missing_permission")).isEqualTo("workspace:desktops:createConsole");
    assertThat(reason.getString("resource")).isEqualTo("desktop " + DESKTOP);
  }

  @Test
  void showDesktopDetailAndListDesktopsAnswerTheInventorysDesktops() {
    WorkspaceClient sdk = client(node, ALICE_AK, ALICE_SK, PROJECT);
    DesktopDetailInfo d = sdk.showDesktopDetail(new ShowDesktopDetailRequest().withDesktopId(DESKTOP)).getDesktop();
    assertThat(d.getDesktopId()).isEqualTo(DESKTOP);
    assertThat(d.getComputerName()).isEqualTo("dev-01");
    assertThat(d.getUserName()).isEqualTo("alice");
    assertThat(d.getStatus()).isEqualTo("ACTIVE");
    assertThat(d.getTaskStatus()).isEmpty();
    assertThat(d.getLoginStatus()).isIn("REGISTERED", "CONNECTED");
    assertThat(d.getIpAddresses()).containsExactly("10.0.0.12");
    assertThat(d.getMetadata()).containsEntry("os", "linux");
    assertThat(d.getEnterpriseProjectId()).isEqualTo("0");
    assertThat(d.getCreated()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");

    ListDesktopsResponse all = sdk.listDesktops(new ListDesktopsRequest());
    assertThat(all.getDesktops()).extracting("desktopId").contains(DESKTOP, BOB_DESKTOP);
    assertThat(all.getTotalCount()).isEqualTo(all.getDesktops().size());
    ListDesktopsResponse page = sdk.listDesktops(new ListDesktopsRequest().withLimit(1).withOffset(1));
    assertThat(page.getDesktops()).hasSize(1);
    assertThat(page.getTotalCount()).isEqualTo(all.getTotalCount());
    ListDesktopsResponse bobs = sdk.listDesktops(new ListDesktopsRequest().withUserName(List.of("bob")));
    assertThat(bobs.getDesktops()).extracting("computerName").containsExactly("dev-02");
    ListDesktopsResponse byName = sdk.listDesktops(new ListDesktopsRequest().withComputerName("dev-0"));
    assertThat(byName.getDesktops()).extracting("computerName").containsExactlyInAnyOrder("dev-01", "dev-02");
    ListDesktopsDetailResponse detail = sdk.listDesktopsDetail(new ListDesktopsDetailRequest().withStatus("ACTIVE"));
    assertThat(detail.getDesktops()).extracting("desktopId").contains(DESKTOP, BOB_DESKTOP);
    assertThat(detail.getTotalCount()).isEqualTo(detail.getDesktops().size());
  }

  @Test
  void badListParametersAreA400() {
    WorkspaceClient sdk = client(node, ALICE_AK, ALICE_SK, PROJECT);
    ClientRequestException big = catchThrowableOfType(ClientRequestException.class,
        () -> sdk.listDesktops(new ListDesktopsRequest().withLimit(5000)));
    assertThat(big.getHttpStatusCode()).isEqualTo(400);
    assertThat(big.getErrorCode()).isEqualTo("WKS.00000400");
    assertThat(big.getErrorMsg()).isEqualTo("limit must be an integer from 0 to 1000, got '5000'.");
    ClientRequestException negative = catchThrowableOfType(ClientRequestException.class,
        () -> sdk.listDesktops(new ListDesktopsRequest().withOffset(-1)));
    assertThat(negative.getHttpStatusCode()).isEqualTo(400);
  }

  @Test
  void overHttpsWithASelfSignedCertificate() throws Exception {
    try (TestNode tls = TestNode.start(TestNode.standardInventory(desktop.port()), Map.of(
        "DESKGATE_HTTP_TLS_SELF_SIGNED", "true",
        "DESKGATE_HTTP_TLS_CERT_FILE", Files.createTempDirectory("tls").resolve("cert.pem").toString(),
        "DESKGATE_HTTP_TLS_KEY_FILE", Files.createTempDirectory("tls").resolve("key.pem").toString()))) {
      assertThat(tls.baseUrl()).startsWith("https://");
      ShowRemoteConsoleAddressResponse r = client(tls, ALICE_AK, ALICE_SK, PROJECT).showRemoteConsoleAddress(console(DESKTOP));
      assertThat(r.getUrl()).startsWith(tls.baseUrl() + "/vnc/console/vnc_auto.html?token=");
      try (ConsoleClient wss = ConsoleClient.connect(ConsoleClient.urlWithToken(tls, TestNode.tokenOf(r.getUrl())), null,
          List.of())) {
        assertThat(new RfbClient(wss).handshake().name()).as("the computer_name").isEqualTo("dev-01");
      }
    }
  }
}
