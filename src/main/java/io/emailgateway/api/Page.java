package io.emailgateway.api;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import java.util.function.Function;

/**
 * One page of a keyset listing: {@code {"items": […], "next_cursor": "…" | null}}. The query
 * asks for one row more than the limit; that row only tells that there is a next page.
 */
final class Page {
  private Page() {}

  static JsonObject of(RowSet<Row> rows, int limit, Function<Row, JsonObject> item, Function<Row, String> cursor) {
    JsonArray items = new JsonArray();
    Row last = null;
    int count = 0;
    for (Row row : rows) {
      if (count++ == limit) {
        return new JsonObject().put("items", items).put("next_cursor", cursor.apply(last));
      }
      items.add(item.apply(row));
      last = row;
    }
    return new JsonObject().put("items", items).putNull("next_cursor");
  }
}
