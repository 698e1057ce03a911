package io.deskgate.web;

import static io.deskgate.testing.TestNode.ALICE_AK;
import static io.deskgate.testing.TestNode.ALICE_SK;
import static io.deskgate.testing.TestNode.DESKTOP;
import static io.deskgate.testing.TestNode.PROJECT;
import static org.assertj.core.api.Assertions.assertThat;

import com.huaweicloud.sdk.core.auth.BasicCredentials;
import com.huaweicloud.sdk.core.http.HttpConfig;
import com.huaweicloud.sdk.workspace.v2.WorkspaceClient;
import com.huaweicloud.sdk.workspace.v2.model.ShowRemoteConsoleAddressRequest;
import com.huaweicloud.sdk.workspace.v2.model.ShowRemoteConsoleAddressResponse;
import io.deskgate.provider.XvncDesktop;
import io.deskgate.testing.BrowserCheck;
import io.deskgate.testing.Nginx;
import io.deskgate.testing.TestNode;
import io.deskgate.testing.Workspace;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The nginx recipe of docs/scale-out.md, taken from the page as written, run by Debian's nginx in front
 * of a node, with TLS (a certificate made for the test) on a port that is not 443 and the upstream
 * pointed at the node: Huawei's SDK signs through it; the console URL it answers opens in Chromium over
 * the proxied WebSocket; and nginx's access log holds no console token, plain or percent-encoded.
 */
class NginxRecipeTest {

  @TempDir
  Path dir;

  static String docsRecipe() throws Exception {
    String page = Files.readString(Path.of("docs/scale-out.md"));
    int start = page.indexOf("```nginx\n") + "```nginx\n".length();
    return page.substring(start, page.indexOf("```", start));
  }

  @Test
  void theSdkSignsThroughTheDocumentedNginxTheConsoleOpensAndNoTokenIsLogged() throws Exception {
    int port = TestNode.closedPort();
    String front = "https://127.0.0.1:" + port;
    Path cert = dir.resolve("front.crt");
    Path key = dir.resolve("front.key");
    Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
        "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key.toString(),
        "-out", cert.toString()).redirectErrorStream(true).start();
    String said = new String(openssl.getInputStream().readAllBytes());
    assertThat(openssl.waitFor()).as(said).isZero();
    Path run = Files.createTempDirectory(dir, "xvnc");
    try (XvncDesktop desktop = XvncDesktop.start(run, "behind-nginx", null, "640x480");
         TestNode node = TestNode.start(TestNode.standardInventory(desktop.port()), Map.of(
             "DESKGATE_HTTP_PUBLIC_URL", front, "DESKGATE_HTTP_TRUSTED_PROXIES", "127.0.0.1"))) {
      String recipe = docsRecipe().lines()
          .map(l -> l.matches("\\s*server 10\\.0\\.1\\.1[1-3]:8080.*")
              ? (l.contains("10.0.1.11") ? "    server 127.0.0.1:" + node.node().port() + ";" : "") : l)
          .map(l -> l.replace("listen 443 ssl;", "listen 127.0.0.1:" + port + " ssl;")
              .replace("/etc/nginx/tls/console.example.com.crt", cert.toString())
              .replace("/etc/nginx/tls/console.example.com.key", key.toString())
              .replace("/var/log/nginx/deskgate.access.log", dir.resolve("access.log").toString()))
          .collect(Collectors.joining("\n"));
      assertThat(recipe).contains("proxy_set_header Host $http_host;").contains("listen 127.0.0.1:" + port + " ssl;")
          .contains("ssl_certificate     " + cert);
      try (Nginx nginx = Nginx.start(dir, port, recipe)) {
        ShowRemoteConsoleAddressResponse console = WorkspaceClient.newBuilder()
            .withHttpConfig(HttpConfig.getDefaultHttpConfig().withIgnoreSSLVerification(true))
            .withCredential(new BasicCredentials().withAk(ALICE_AK).withSk(ALICE_SK).withProjectId(PROJECT))
            .withEndpoints(List.of(front)).build()
            .showRemoteConsoleAddress(new ShowRemoteConsoleAddressRequest().withDesktopId(DESKTOP));
        assertThat(console.getHttpStatusCode()).as("AK/SK signed for 127.0.0.1:" + port).isEqualTo(200);
        assertThat(console.getUrl()).startsWith(front + "/vnc/console/vnc_auto.html?token=");

        try (BrowserCheck browser = BrowserCheck.open(console.getUrl(),
            Path.of("target/browser-screenshots/behind-nginx.png"), "connected", null, null, "--insecure-tls")) {
          JsonObject page = browser.next();
          assertThat(page.getString("state")).as("the console through nginx: " + page.encodePrettily())
              .isEqualTo("connected");
          assertThat(page.getString("status")).isEqualTo("Connected to dev-01");
        }
        String token = TestNode.tokenOf(console.getUrl());
        HttpClient http = HttpClient.newBuilder().sslContext(trusting(cert)).build();
        http.send(HttpRequest.newBuilder(URI.create(front + "/vnc/console/vnc_lite.html?path=websockify%3Ftoken%3D"
            + token)).build(), HttpResponse.BodyHandlers.discarding());
        String log = Workspace.until(() -> read(dir.resolve("access.log")), l -> l.contains("vnc_lite.html"),
            Duration.ofSeconds(10), "nginx's access log");
        assertThat(log).doesNotContain(token).contains("vnc_auto.html?token=***&lang=EN")
            .contains("vnc_lite.html?path=websockify%3Ftoken%3D***")
            .contains("/v2/" + PROJECT + "/desktops/" + DESKTOP + "/remote-consoles");
      }
    }
  }

  /** Trusts the one certificate nginx serves. */
  private static SSLContext trusting(Path cert) throws Exception {
    KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
    trust.load(null, null);
    try (var in = Files.newInputStream(cert)) {
      trust.setCertificateEntry("front", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, tmf.getTrustManagers(), null);
    return context;
  }

  private static String read(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file) : "";
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
