package io.emailgateway.metrics;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.Yaml;

/**
 * The PromQL of the monitoring files that ship with the gateway: every query of the Grafana
 * dashboard (panels and template variables) and every expression of the alert rules. Compose
 * uses these files as they are; k8s/base carries copies that CI keeps identical.
 */
final class MonitoringQueries {
  static final Path DASHBOARD = Path.of("docker/grafana/dashboards/email-webhook-gateway.json");
  static final Path ALERT_RULES = Path.of("docker/prometheus/rules/email-webhook-gateway.yml");

  private static final Pattern LABEL_VALUES = Pattern.compile("^\\s*label_values\\((.*),\\s*[A-Za-z_][A-Za-z0-9_]*\\s*\\)\\s*$",
      Pattern.DOTALL);
  private static final Pattern GRAFANA_VARIABLE = Pattern.compile("\\$\\{?(\\w+)(?::\\w+)?\\}?");

  /** One query and where it comes from, for messages ("panel 'Ack latency' B"). */
  record Query(String origin, String expr) {}

  private MonitoringQueries() {}

  static List<Query> dashboard() {
    JsonObject dashboard = new JsonObject(read(DASHBOARD));
    List<Query> queries = new ArrayList<>();
    addPanels(dashboard.getJsonArray("panels", new JsonArray()), queries);
    for (Object item : dashboard.getJsonObject("templating", new JsonObject()).getJsonArray("list", new JsonArray())) {
      JsonObject variable = (JsonObject) item;
      if ("query".equals(variable.getString("type"))) {
        Object query = variable.getValue("query");
        String text = query instanceof JsonObject json ? json.getString("query") : String.valueOf(query);
        Matcher labelValues = LABEL_VALUES.matcher(text);
        queries.add(new Query("variable '" + variable.getString("name") + "'", labelValues.matches() ? labelValues.group(1) : text));
      }
    }
    return queries;
  }

  static List<Query> alertRules() {
    List<Query> queries = new ArrayList<>();
    try (Reader reader = Files.newBufferedReader(ALERT_RULES)) {
      Map<String, List<Map<String, Object>>> file = new Yaml().load(reader);
      for (Map<String, Object> group : file.get("groups")) {
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> rules = (List<Map<String, Object>>) group.get("rules");
        for (Map<String, Object> rule : rules) {
          Object name = rule.containsKey("alert") ? "alert " + rule.get("alert") : "record " + rule.get("record");
          queries.add(new Query(name.toString(), rule.get("expr").toString()));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return queries;
  }

  /**
   * The query as Grafana sends it: {@code $__rate_interval} and friends become {@code interval},
   * every other variable (all are label matchers here) matches anything.
   */
  static String forPrometheus(String expr, String interval) {
    return GRAFANA_VARIABLE.matcher(expr).replaceAll(match -> match.group(1).startsWith("__") ? interval : ".*");
  }

  private static void addPanels(JsonArray panels, List<Query> queries) {
    for (Object item : panels) {
      JsonObject panel = (JsonObject) item;
      addPanels(panel.getJsonArray("panels", new JsonArray()), queries);
      for (Object target : panel.getJsonArray("targets", new JsonArray())) {
        JsonObject json = (JsonObject) target;
        queries.add(new Query("panel '" + panel.getString("title") + "' " + json.getString("refId"), json.getString("expr")));
      }
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
