package io.emailgateway.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The shape of the dashboard and the alert rules, without a gateway: what makes them usable in
 * any Grafana and Alertmanager. Whether their metrics exist is DashboardAndAlertMetricsIT's job.
 */
class MonitoringFilesTest {

  @Test
  void dashboardPanelsUseTheDataSourceVariableAndDoNotOverlap() throws IOException {
    JsonObject dashboard = new JsonObject(Files.readString(MonitoringQueries.DASHBOARD));
    assertThat(dashboard.getString("uid")).isEqualTo("email-webhook-gateway");
    assertThat(dashboard.getValue("id")).as("no instance id in a provisioned dashboard").isNull();

    List<JsonObject> panels = dashboard.getJsonArray("panels").stream().map(JsonObject.class::cast).toList();
    Set<Integer> ids = new HashSet<>();
    List<int[]> cells = new ArrayList<>();
    for (JsonObject panel : panels) {
      String title = panel.getString("title");
      assertThat(ids.add(panel.getInteger("id"))).as("panel id of " + title + " is unique").isTrue();
      JsonObject grid = panel.getJsonObject("gridPos");
      int x = grid.getInteger("x");
      int y = grid.getInteger("y");
      int w = grid.getInteger("w");
      int h = grid.getInteger("h");
      assertThat(x + w).as(title + " fits the 24 columns").isLessThanOrEqualTo(24);
      for (int[] cell : cells) {
        boolean overlaps = x < cell[0] + cell[2] && cell[0] < x + w && y < cell[1] + cell[3] && cell[1] < y + h;
        assertThat(overlaps).as(title + " overlaps another panel").isFalse();
      }
      cells.add(new int[] {x, y, w, h});
      if ("row".equals(panel.getString("type"))) {
        continue;
      }
      assertThat(panel.getString("description")).as(title + " says what it shows").isNotBlank();
      assertThat(panel.getJsonObject("datasource").getString("uid")).as(title + " data source").isEqualTo("${datasource}");
      JsonArray targets = panel.getJsonArray("targets");
      assertThat(targets).as(title + " queries").isNotEmpty();
      Set<String> refIds = new HashSet<>();
      for (Object target : targets) {
        assertThat(refIds.add(((JsonObject) target).getString("refId"))).as(title + " refIds are unique").isTrue();
      }
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void everyAlertHasASeverityASummaryAndADescription() throws IOException {
    Map<String, Object> file;
    try (Reader reader = Files.newBufferedReader(MonitoringQueries.ALERT_RULES)) {
      file = new Yaml().load(reader);
    }
    Set<String> names = new HashSet<>();
    for (Map<String, Object> group : (List<Map<String, Object>>) file.get("groups")) {
      for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
        String alert = (String) rule.get("alert");
        assertThat(alert).as("only alerting rules here").isNotNull();
        assertThat(names.add(alert)).as(alert + " is unique").isTrue();
        assertThat(((Map<String, Object>) rule.get("labels")).get("severity")).as(alert).isIn("warning", "critical");
        Map<String, Object> annotations = (Map<String, Object>) rule.get("annotations");
        assertThat(annotations).as(alert).containsKeys("summary", "description");
      }
    }
  }
}
