package io.emailgateway.api;

import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;

/**
 * A WHERE clause built from optional filters, with numbered bind parameters: {@code $} in a
 * condition becomes the next {@code $n}. Values only ever travel as parameters, never as SQL.
 */
final class Where {
  private final List<String> conditions = new ArrayList<>();
  private final Tuple values = Tuple.tuple();

  /** Adds {@code condition} (with one {@code $}) when {@code value} is not null. */
  Where and(String condition, Object value) {
    if (value != null) {
      values.addValue(value);
      conditions.add(condition.replace("$", "$" + values.size()));
    }
    return this;
  }

  /** Adds a condition with several bind parameters {@code $1 $2 …} relative to this condition, all values given. */
  Where andAll(String condition, Object... params) {
    String sql = condition;
    int base = values.size();
    for (int i = params.length; i >= 1; i--) {
      sql = sql.replace("?" + i, "$" + (base + i));
    }
    for (Object param : params) {
      values.addValue(param);
    }
    conditions.add(sql);
    return this;
  }

  /** The next bind parameter for a value appended after the conditions (e.g. LIMIT). */
  String next(Object value) {
    values.addValue(value);
    return "$" + values.size();
  }

  String sql() {
    return conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions);
  }

  Tuple values() {
    return values;
  }
}
