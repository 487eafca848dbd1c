package io.emailgateway.api;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code GET /messages/{message_id}}: per recipient, the current status the message-status
 * handler settled on and the timeline of stored events in event time. A recipient whose events
 * the handlers have not processed yet appears with its timeline and a null status.
 */
final class MessagesApi {
  private static final String STATUS = "SELECT recipient, source, status, status_at, status_event_id, first_event_at,"
      + " last_event_at, event_count, sender, subject FROM messages WHERE message_id = $1 ORDER BY recipient";
  private static final String TIMELINE = "SELECT recipient, occurred_at, type, bounce_type, reject_reason, source,"
      + " event_id, received_at, mta_response, description, click_url, user_agent, ip FROM message_timeline"
      + " WHERE message_id = $1 ORDER BY recipient, occurred_at, event_id LIMIT 10000";

  private final Pool pool;

  MessagesApi(Pool pool) {
    this.pool = pool;
  }

  void get(RoutingContext ctx) {
    String messageId = ctx.pathParam("message_id");
    Tuple key = Tuple.of(messageId);
    Future.all(pool.preparedQuery(STATUS).execute(key), pool.preparedQuery(TIMELINE).execute(key))
        .map(both -> {
          Map<String, JsonObject> recipients = recipients(both.resultAt(0), both.resultAt(1));
          if (recipients.isEmpty()) {
            throw ApiException.notFound("no message with message_id " + messageId);
          }
          return new JsonObject().put("message_id", messageId)
              .put("recipients", new JsonArray(recipients.values().stream().toList()));
        })
        .onComplete(Json.reply(ctx));
  }

  private static Map<String, JsonObject> recipients(RowSet<Row> status, RowSet<Row> timeline) {
    Map<String, JsonObject> recipients = new LinkedHashMap<>();
    for (Row row : status) {
      recipients.put(row.getString("recipient"), new JsonObject().put("recipient", row.getString("recipient"))
          .put("source", row.getString("source")).put("status", row.getString("status"))
          .put("status_at", Json.time(row.getOffsetDateTime("status_at"))).put("status_event_id", row.getLong("status_event_id"))
          .put("first_event_at", Json.time(row.getOffsetDateTime("first_event_at")))
          .put("last_event_at", Json.time(row.getOffsetDateTime("last_event_at")))
          .put("event_count", row.getInteger("event_count")).put("sender", row.getString("sender"))
          .put("subject", row.getString("subject")).put("timeline", new JsonArray()));
    }
    for (Row row : timeline) {
      String recipient = row.getString("recipient");
      recipients.computeIfAbsent(recipient, r -> new JsonObject().put("recipient", r).put("source", row.getString("source"))
          .putNull("status").put("timeline", new JsonArray()))
          .getJsonArray("timeline").add(step(row));
    }
    return recipients;
  }

  private static JsonObject step(Row row) {
    return new JsonObject().put("event_id", row.getLong("event_id")).put("type", row.getString("type"))
        .put("occurred_at", Json.time(row.getOffsetDateTime("occurred_at")))
        .put("received_at", Json.time(row.getOffsetDateTime("received_at")))
        .put("bounce_type", row.getString("bounce_type")).put("reject_reason", row.getString("reject_reason"))
        .put("source", row.getString("source")).put("mta_response", row.getString("mta_response"))
        .put("description", row.getString("description")).put("click_url", row.getString("click_url"))
        .put("user_agent", row.getString("user_agent")).put("ip", row.getString("ip"));
  }
}
