package io.emailgateway.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A gauge with one series per tag set, whose whole set of values a periodic refresh replaces
 * (e.g. per destination, read from the database). A series that stays keeps its registered meter
 * and only its value changes; only series that are gone are removed. Re-registering every row
 * on each refresh ({@code MultiGauge.register(rows, true)}) removes a series and adds it back, and a
 * scrape that falls in between does not see it: Prometheus then marks it stale, a dashboard
 * panel shows no data and an alert's {@code for:} starts again.
 */
public final class LabeledGauge {
  /** The value a registered series reads; replaced in place by each refresh. */
  private static final class Value {
    private volatile double current;
  }

  private final MultiGauge gauge;
  private Map<Tags, Value> values = Map.of();

  public LabeledGauge(MeterRegistry registry, String name, String description, String baseUnit) {
    this.gauge = MultiGauge.builder(name).description(description).baseUnit(baseUnit).register(registry);
  }

  /** The new set of series: each tag set with its value; a tag set not in it is removed. */
  public void set(Map<Tags, Double> rows) {
    Map<Tags, Value> next = new HashMap<>();
    List<MultiGauge.Row<?>> registered = new ArrayList<>();
    rows.forEach((tags, value) -> {
      Value holder = values.getOrDefault(tags, new Value());
      holder.current = value;
      next.put(tags, holder);
      registered.add(MultiGauge.Row.of(tags, holder, v -> v.current));
    });
    gauge.register(registered, false);
    values = next;
  }
}
