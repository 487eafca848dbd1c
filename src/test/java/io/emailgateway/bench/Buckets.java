package io.emailgateway.bench;

import java.util.Map;
import java.util.TreeMap;

/**
 * A Prometheus histogram's cumulative buckets ({@code name_bucket{le="…"}}), summed over every
 * series. Two readings around a phase give the phase's own distribution (their difference), from
 * which a quantile is read as the upper bound of the bucket it falls in.
 */
record Buckets(TreeMap<Double, Double> cumulative) {
  static final Buckets NONE = new Buckets(new TreeMap<>());

  static Buckets read(String text, String name) {
    String prefix = name + "_bucket{";
    TreeMap<Double, Double> buckets = new TreeMap<>();
    for (String line : text.split("\n")) {
      if (!line.startsWith(prefix)) {
        continue;
      }
      int le = line.indexOf("le=\"");
      if (le < 0) {
        continue;
      }
      String bound = line.substring(le + 4, line.indexOf('"', le + 4));
      double upper = bound.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(bound);
      buckets.merge(upper, Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)), Double::sum);
    }
    return new Buckets(buckets);
  }

  Buckets minus(Buckets before) {
    TreeMap<Double, Double> difference = new TreeMap<>();
    for (Map.Entry<Double, Double> bucket : cumulative.entrySet()) {
      difference.put(bucket.getKey(), bucket.getValue() - before.cumulative.getOrDefault(bucket.getKey(), 0.0));
    }
    return new Buckets(difference);
  }

  /** The upper bound of the bucket holding quantile {@code q}; NaN without observations. */
  double quantile(double q) {
    double total = cumulative.isEmpty() ? 0 : cumulative.lastEntry().getValue();
    if (total <= 0) {
      return Double.NaN;
    }
    for (Map.Entry<Double, Double> bucket : cumulative.entrySet()) {
      if (bucket.getValue() >= q * total) {
        return bucket.getKey();
      }
    }
    return Double.POSITIVE_INFINITY;
  }
}
