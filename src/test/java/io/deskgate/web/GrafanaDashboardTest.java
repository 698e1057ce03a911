package io.deskgate.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * packaging/grafana/deskgate-dashboard.json: valid JSON, every panel on the Prometheus datasource of the
 * dashboard's variable, and every metric it queries one that docs/operations.md documents (so a renamed
 * metric cannot leave a dead panel behind).
 */
class GrafanaDashboardTest {

  static final Pattern METRIC = Pattern.compile("\\b((?:deskgate|hikaricp)_[a-z_]+)");

  @Test
  void everyPanelQueriesADocumentedMetric() throws IOException {
    JsonObject dashboard = new JsonObject(Files.readString(Path.of("packaging/grafana/deskgate-dashboard.json")));
    String docs = Files.readString(Path.of("docs/operations.md"));
    JsonArray panels = dashboard.getJsonArray("panels");
    assertThat(panels).isNotEmpty();
    Set<String> metrics = new TreeSet<>();
    for (Object p : panels) {
      JsonObject panel = (JsonObject) p;
      assertThat(panel.getJsonObject("datasource").getString("uid")).as(panel.getString("title"))
          .isEqualTo("${datasource}");
      for (Object t : panel.getJsonArray("targets")) {
        Matcher m = METRIC.matcher(((JsonObject) t).getString("expr"));
        while (m.find()) {
          metrics.add(m.group(1).replaceAll("_(bucket|count|sum)$", ""));
        }
      }
    }
    assertThat(metrics).hasSizeGreaterThan(10);
    for (String metric : metrics) {
      String documented = metric.startsWith("hikaricp_connections_") ? "hikaricp_connections_*" : metric;
      assertThat(docs).as("docs/operations.md documents " + metric).contains("`" + documented);
    }
  }
}
