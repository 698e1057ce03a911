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
import io.deskgate.testing.Nginx;
import io.deskgate.testing.TestNode;
import io.deskgate.testing.Workspace;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The nginx recipe of docs/scale-out.md, taken from the page as written, run by Debian's nginx in front
 * of a node on a port that is not 443 (TLS left out, the upstream pointed at the node): Huawei's SDK signs
 * through it, and its access log holds no console token, plain or percent-encoded.
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
  void theSdkSignsThroughTheDocumentedNginxAndNoTokenIsLogged() throws Exception {
    try (TestNode node = TestNode.start(TestNode.standardInventory(TestNode.closedPort()))) {
      int port = TestNode.closedPort();
      String recipe = docsRecipe().lines()
          .filter(l -> !l.contains("ssl_certificate"))
          .map(l -> l.matches("\\s*server 10\\.0\\.1\\.1[1-3]:8080.*")
              ? (l.contains("10.0.1.11") ? "    server 127.0.0.1:" + node.node().port() + ";" : "") : l)
          .map(l -> l.replace("listen 443 ssl;", "listen 127.0.0.1:" + port + ";")
              .replace("/var/log/nginx/deskgate.access.log", dir.resolve("access.log").toString()))
          .collect(Collectors.joining("\n"));
      assertThat(recipe).contains("proxy_set_header Host $http_host;").contains("listen 127.0.0.1:" + port);
      try (Nginx nginx = Nginx.start(dir, port, recipe)) {
        String front = "http://127.0.0.1:" + port;
        ShowRemoteConsoleAddressResponse console = WorkspaceClient.newBuilder()
            .withHttpConfig(HttpConfig.getDefaultHttpConfig())
            .withCredential(new BasicCredentials().withAk(ALICE_AK).withSk(ALICE_SK).withProjectId(PROJECT))
            .withEndpoints(List.of(front)).build()
            .showRemoteConsoleAddress(new ShowRemoteConsoleAddressRequest().withDesktopId(DESKTOP));
        assertThat(console.getHttpStatusCode()).as("AK/SK signed for 127.0.0.1:" + port).isEqualTo(200);

        String token = TestNode.tokenOf(console.getUrl());
        HttpClient http = HttpClient.newHttpClient();
        for (String uri : List.of("/vnc/console/vnc_auto.html?token=" + token + "&lang=EN",
            "/vnc/console/vnc_lite.html?path=websockify%3Ftoken%3D" + token)) {
          http.send(HttpRequest.newBuilder(URI.create(front + uri)).build(), HttpResponse.BodyHandlers.discarding());
        }
        String log = Workspace.until(() -> read(dir.resolve("access.log")), l -> l.contains("vnc_lite.html"),
            Duration.ofSeconds(10), "nginx's access log");
        assertThat(log).doesNotContain(token).contains("vnc_auto.html?token=***&lang=EN")
            .contains("vnc_lite.html?path=websockify%3Ftoken%3D***")
            .contains("/v2/" + PROJECT + "/desktops/" + DESKTOP + "/remote-consoles");
      }
    }
  }

  private static String read(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file) : "";
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
