package io.deskgate.web;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import io.deskgate.testing.NodeProcess;
import io.deskgate.testing.TestNode;
import io.deskgate.testing.Workspace;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code log.format: json}: a node's every log line is one JSON object; tokens are masked as in text
 * lines, and an exception has a field of its own.
 */
class LogFormatTest {

  static final String TOKEN = "0f5e7a8c-3b2d-4e1f-9a6b-7c8d9e0f1a2b";

  @TempDir
  Path dir;

  @Test
  void withJsonEveryLineIsAJsonObjectWithTheTokensMasked() throws Exception {
    try (NodeProcess node = NodeProcess.start(dir, TestNode.standardInventory(TestNode.closedPort()),
        Map.of("DESKGATE_LOG_FORMAT", "json"))) {
      HttpResponse<String> page = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create(node.baseUrl() + "/vnc/console/vnc_auto.html?token=" + TOKEN)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(page.statusCode()).isEqualTo(200);
      List<String> lines = Workspace.until(this::logLines,
          l -> l.stream().anyMatch(line -> line.contains("vnc_auto.html")), Duration.ofSeconds(10), "the access line");
      for (String line : lines) {
        JsonObject event = new JsonObject(line);
        assertThat(event.fieldNames()).as(line).contains("time", "level", "logger", "message");
      }
    }
  }

  @Test
  void theJsonEncoderMasksTokensAndPutsAnExceptionInItsOwnField() throws Exception {
    LoggerContext context = new LoggerContext();
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    configurator.doConfigure(getClass().getClassLoader().getResource("logback-json.xml"));
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    @SuppressWarnings("unchecked")
    Encoder<ILoggingEvent> encoder = ((ConsoleAppender<ILoggingEvent>) ((AsyncAppender) root.getAppender("ASYNC"))
        .getAppender("STDERR")).getEncoder();
    LoggingEvent event = new LoggingEvent("t", root, Level.WARN, "GET /x?token=" + TOKEN, new IOException("boom"), null);
    JsonObject line = new JsonObject(new String(encoder.encode(event), StandardCharsets.UTF_8));
    assertThat(line.getString("message")).isEqualTo("GET /x?token=***");
    assertThat(line.getString("exception")).startsWith(" ! java.io.IOException: boom (at ");
    assertThat(line.getString("level")).isEqualTo("WARN");
    context.stop();
  }

  private List<String> logLines() {
    try {
      return Files.readAllLines(dir.resolve("deskgate.log")).stream().filter(l -> !l.isBlank()).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
