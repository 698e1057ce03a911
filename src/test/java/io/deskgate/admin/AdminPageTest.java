package io.deskgate.admin;

import static io.deskgate.testing.TestNode.PROJECT;
import static org.assertj.core.api.Assertions.assertThat;

import io.deskgate.provider.XvncDesktop;
import io.deskgate.testing.BrowserCheck;
import io.deskgate.testing.TestNode;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator's page in headless Chromium: an admin logs in, sees a live console (a real browser's, on
 * a real TigerVNC desktop), ends it with "End" (the console's page says an administrator ended it), finds
 * it in the history and plays its recording; the page is in Chinese when asked, refuses to be framed and
 * loads nothing from elsewhere.
 */
class AdminPageTest {

  @TempDir
  Path dir;

  @Test
  void anAdminEndsALiveConsoleFromThePageAndFindsItInTheHistory() throws Exception {
    try (XvncDesktop desktop = XvncDesktop.start(dir.resolve("xvnc"), "admin-desk", null, "320x240");
         TestNode node = TestNode.start(TestNode.standardInventory(desktop.port()), Map.of(
             "DESKGATE_CONSOLE_RECORDING", "on", "DESKGATE_RECORDING_DIR", dir.resolve("recordings").toString()))) {
      for (String lang : List.of("EN", "ZH-CN")) {
        try (BrowserCheck console = BrowserCheck.open(node.consoleUrl(TestNode.DESKTOP),
            dir.resolve("console.png"), "connected", "disconnected")) {
          assertThat(console.next().getString("state")).isEqualTo("connected");
          try (BrowserCheck page = BrowserCheck.script("admin-check.mjs", node.baseUrl(), TestNode.DOMAIN, "alice",
              "alice-pass-1", PROJECT, TestNode.DESKTOP, "--lang", lang)) {
            JsonObject report = page.next();
            assertThat(report.getString("historyReason")).as(report.encodePrettily()).startsWith("ended_by_admin (");
            assertThat(report.getJsonArray("liveHeaders").getString(0)).isEqualTo(lang.equals("EN") ? "User" : "用户");
            assertThat(report.getString("lang")).isEqualTo(lang.equals("EN") ? "en" : "zh-CN");
            JsonObject replay = report.getJsonObject("replay");
            assertThat(replay.getString("state")).as("its recording plays").isIn("playing", "ended");
            assertThat(replay.getInteger("duration")).isPositive();
            assertThat(replay.getString("href")).contains("/vnc/replay.html").doesNotContain("token");
          }
          JsonObject ended = console.next();
          assertThat(ended.getString("message")).as("the console's page, ended from the operator page")
              .isEqualTo("endedByAdmin");
          assertThat(ended.getString("status")).isEqualTo("An administrator ended this console.");
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
