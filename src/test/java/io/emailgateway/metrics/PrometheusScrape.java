package io.emailgateway.metrics;

import java.util.Set;
import java.util.TreeSet;

/** The names a Prometheus text-format scrape offers: every sample's series name and every family name. */
final class PrometheusScrape {
  private PrometheusScrape() {}

  static Set<String> names(String scrape) {
    Set<String> names = new TreeSet<>();
    for (String line : scrape.split("\n")) {
      if (line.startsWith("# TYPE ")) {
        names.add(line.split(" ")[2]);
      } else if (!line.isBlank() && !line.startsWith("#")) {
        int end = 0;
        while (end < line.length() && line.charAt(end) != '{' && line.charAt(end) != ' ') {
          end++;
        }
        names.add(line.substring(0, end));
      }
    }
    return names;
  }
}
