package io.deskgate.admin;

import static io.deskgate.testing.TestNode.PROJECT;
import static org.assertj.core.api.Assertions.assertThat;

import io.deskgate.provider.XvncDesktop;
import io.deskgate.testing.BrowserCheck;
import io.deskgate.testing.ConsoleClient;
import io.deskgate.testing.RfbClient;
import io.deskgate.testing.TestNode;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator's page in headless Chromium: an admin logs in, sees a live console on a real TigerVNC
 * desktop, ends it with "End" (the console closes with 4411), and finds it in the history; the page
 * is in Chinese when asked, refuses to be framed and loads nothing from elsewhere.
 */
class AdminPageTest {

  @TempDir
  Path dir;

  @Test
  void anAdminEndsALiveConsoleFromThePageAndFindsItInTheHistory() throws Exception {
    try (XvncDesktop desktop = XvncDesktop.start(dir.resolve("xvnc"), "admin-desk", null, "320x240");
         TestNode node = TestNode.start(TestNode.standardInventory(desktop.port()))) {
      for (String lang : List.of("EN", "ZH-CN")) {
        try (ConsoleClient console = ConsoleClient.connect(ConsoleClient.urlWithToken(node,
            TestNode.tokenOf(node.consoleUrl(TestNode.DESKTOP))), null, List.of())) {
          new RfbClient(console).handshake();
          try (BrowserCheck page = BrowserCheck.script("admin-check.mjs", node.baseUrl(), TestNode.DOMAIN, "alice",
              "alice-pass-1", PROJECT, TestNode.DESKTOP, "--lang", lang)) {
            JsonObject report = page.next();
            ConsoleClient.Close close = console.awaitClose(Duration.ofSeconds(10));
            assertThat(close.code()).as("ended from the page").isEqualTo((short) 4411);
            assertThat(report.getString("historyReason")).startsWith("ended_by_admin (");
            assertThat(report.getJsonArray("liveHeaders").getString(0)).isEqualTo(lang.equals("EN") ? "User" : "用户");
            assertThat(report.getString("lang")).isEqualTo(lang.equals("EN") ? "en" : "zh-CN");
          }
        }
      }
      HttpResponse<String> page = node.get("/admin/");
      assertThat(page.statusCode()).isEqualTo(200);
      assertThat(page.headers().firstValue("X-Frame-Options")).hasValue("DENY");
      assertThat(page.headers().firstValue("Content-Security-Policy").orElseThrow())
          .contains("default-src 'self'").contains("frame-ancestors 'none'");
      assertThat(page.body()).doesNotContain("http://").doesNotContain("https://");
      HttpResponse<String> bare = node.get("/admin");
      assertThat(bare.statusCode()).isEqualTo(302);
      assertThat(bare.headers().firstValue("Location")).hasValue("/admin/");
    }
  }
}
