package io.deskgate.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.deskgate.testing.TestNode;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The console page and noVNC's files refuse to be framed by other sites unless the operator lists them. */
class ConsolePageHeadersTest {

  @Test
  void byDefaultNoSiteMayFrameTheConsole() {
    try (TestNode node = TestNode.start("")) {
      for (String path : new String[] {ConsolePage.PAGE_PATH + "?token=x", ConsolePage.BASE + "console.js"}) {
        HttpResponse<String> page = node.get(path);
        assertThat(page.headers().firstValue("X-Frame-Options")).as(path).contains("DENY");
        assertThat(page.headers().firstValue("Content-Security-Policy").orElseThrow()).as(path)
            .contains("frame-ancestors 'none'");
      }
    }
  }

  @Test
  void aPortalListedInTheConfigMayFrameIt() {
    try (TestNode node = TestNode.start("", Map.of("DESKGATE_CONSOLE_FRAME_ANCESTORS",
        "https://portal.example.com,'self'"))) {
      HttpResponse<String> page = node.get(ConsolePage.PAGE_PATH);
      assertThat(page.statusCode()).isEqualTo(200);
      assertThat(page.headers().firstValue("X-Frame-Options")).isEmpty();
      assertThat(page.headers().firstValue("Content-Security-Policy").orElseThrow())
          .contains("frame-ancestors https://portal.example.com 'self'");
    }
  }
}
