package io.emailgateway.reliability;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the database handlers must have made of a set of normalized events, computed in Java from
 * the events alone, and what they did make, read from their tables — in one shape, so a suite
 * compares the two with one assertion and counts the difference: a counter above what the events
 * give is an effect applied twice, one below is an event skipped. Covers the suppression list
 * (global scope, the default), soft bounces, message status, engagement and deliverability.
 *
 * @param counts counters by table, column and key ({@code engagement.opens|r1@example.com → 3})
 * @param facts  the other columns of each row, as text ({@code messages|m1|r1@… → status=clicked …})
 */
record HandlerEffects(Map<String, Long> counts, Map<String, String> facts) {
  /** Times are whole seconds (SendGrid's resolution); {@code key} is the event key (sg_event_id). */
  record Event(String key, String type, String bounceType, String rejectReason, String recipient, String messageId,
      long occurredAt, String source) {}

  private static final Map<String, Integer> RANK = Map.ofEntries(Map.entry("queued", 10), Map.entry("sent", 20),
      Map.entry("deferred", 30), Map.entry("delivered", 40), Map.entry("bounced", 40), Map.entry("rejected", 40),
      Map.entry("failed", 40), Map.entry("autoresponded", 45), Map.entry("opened", 50), Map.entry("clicked", 60),
      Map.entry("unsubscribed", 70), Map.entry("complained", 80));
  private static final String GLOBAL = "*";
  private static final long SOFT_BOUNCE_THRESHOLD = 3;
  private static final long SOFT_BOUNCE_WINDOW_SECONDS = 7 * 86_400;
  /** SendGrid events carry no sender, so every count lands under this domain. */
  private static final String NO_SENDER_DOMAIN = "(none)";

  /** The effects of handling every one of {@code events} exactly once, with the default handler settings. */
  static HandlerEffects expected(List<Event> events) {
    Map<String, Long> counts = new TreeMap<>();
    Map<String, String> facts = new TreeMap<>();
    List<Event> inTime = events.stream().sorted(Comparator.comparingLong(Event::occurredAt).thenComparing(Event::key)).toList();

    Map<String, long[]> engagementTimes = new HashMap<>();
    Map<String, List<Event>> suppressing = new HashMap<>();
    Map<String, List<Event>> softBounces = new HashMap<>();
    Map<String, List<Event>> messages = new HashMap<>();
    for (Event e : inTime) {
      if (!e.recipient().isEmpty() && (e.type().equals("opened") || e.type().equals("clicked"))) {
        boolean open = e.type().equals("opened");
        counts.merge("engagement." + (open ? "opens" : "clicks") + "|" + e.recipient(), 1L, Long::sum);
        long[] times = engagementTimes.computeIfAbsent(e.recipient(), r -> new long[] {-1, -1, -1, -1});
        int at = open ? 0 : 2;
        times[at] = times[at] < 0 ? e.occurredAt() : Math.min(times[at], e.occurredAt());
        times[at + 1] = Math.max(times[at + 1], e.occurredAt());
      }
      String column = switch (e.type()) {
        case "delivered" -> "delivered";
        case "bounced" -> "bounced";
        case "complained" -> "complained";
        default -> null;
      };
      if (column != null) {
        counts.merge("deliverability." + column + "|" + NO_SENDER_DOMAIN + "|" + e.source() + "|"
            + Math.floorDiv(e.occurredAt(), 3600) * 3600, 1L, Long::sum);
      }
      String reason = suppressionReason(e);
      if (reason != null && !e.recipient().isEmpty()) {
        suppressing.computeIfAbsent(e.recipient() + "|" + GLOBAL + "|" + reason, k -> new ArrayList<>()).add(e);
      }
      if (e.type().equals("bounced") && "soft".equals(e.bounceType()) && !e.recipient().isEmpty()) {
        softBounces.computeIfAbsent(e.recipient(), k -> new ArrayList<>()).add(e);
        counts.merge("soft_bounces|" + e.recipient(), 1L, Long::sum);
      }
      if (RANK.containsKey(e.type()) && e.messageId() != null && !e.messageId().isEmpty() && !e.recipient().isEmpty()) {
        messages.computeIfAbsent(e.messageId() + "|" + e.recipient(), k -> new ArrayList<>()).add(e);
      }
    }
    engagementTimes.forEach((recipient, t) -> facts.put("engagement|" + recipient,
        "first_open=" + t[0] + " last_open=" + t[1] + " first_click=" + t[2] + " last_click=" + t[3]));
    suppressing.forEach((key, list) -> {
      counts.put("suppressions.count|" + key, (long) list.size());
      Event first = list.get(0);
      facts.put("suppressions|" + key, suppressionFact(first.occurredAt(), list.get(list.size() - 1).occurredAt(),
          first.key(), first.source()));
    });
    softBounces.forEach((address, list) -> {
      for (int i = 0; i < list.size(); i++) {
        Event candidate = list.get(i);
        long inWindow = list.stream().filter(b -> b.occurredAt() <= candidate.occurredAt()
            && b.occurredAt() >= candidate.occurredAt() - SOFT_BOUNCE_WINDOW_SECONDS).count();
        if (inWindow >= SOFT_BOUNCE_THRESHOLD) {
          String key = address + "|" + GLOBAL + "|soft_bounce";
          counts.put("suppressions.count|" + key, (long) list.size());
          facts.put("suppressions|" + key, suppressionFact(list.get(0).occurredAt(), list.get(list.size() - 1).occurredAt(),
              candidate.key(), candidate.source()));
          break;
        }
      }
    });
    messages.forEach((key, list) -> {
      Event status = list.stream().max(Comparator.<Event>comparingInt(e -> RANK.get(e.type()))
          .thenComparingLong(Event::occurredAt)).orElseThrow();
      counts.put("messages.event_count|" + key, (long) list.size());
      facts.put("messages|" + key, messageFact(status.type(), status.occurredAt(), status.key(), list.get(0).occurredAt(),
          list.get(list.size() - 1).occurredAt(), status.source()));
    });
    return new HandlerEffects(counts, facts);
  }

  /** The effects as the handler tables hold them. */
  static HandlerEffects actual(Ledger.Database db) {
    Map<String, Long> counts = new TreeMap<>();
    Map<String, String> facts = new TreeMap<>();
    db.query("SELECT recipient, opens, clicks, coalesce(extract(epoch FROM first_open_at)::bigint, -1),"
        + " coalesce(extract(epoch FROM last_open_at)::bigint, -1), coalesce(extract(epoch FROM first_click_at)::bigint, -1),"
        + " coalesce(extract(epoch FROM last_click_at)::bigint, -1) FROM engagement", rows -> {
          while (rows.next()) {
            String recipient = rows.getString(1);
            putCount(counts, "engagement.opens|" + recipient, rows.getLong(2));
            putCount(counts, "engagement.clicks|" + recipient, rows.getLong(3));
            facts.put("engagement|" + recipient, "first_open=" + rows.getLong(4) + " last_open=" + rows.getLong(5)
                + " first_click=" + rows.getLong(6) + " last_click=" + rows.getLong(7));
          }
        });
    db.query("SELECT domain, source, extract(epoch FROM bucket_start)::bigint, delivered, bounced, complained FROM deliverability",
        rows -> {
          while (rows.next()) {
            String key = rows.getString(1) + "|" + rows.getString(2) + "|" + rows.getLong(3);
            putCount(counts, "deliverability.delivered|" + key, rows.getLong(4));
            putCount(counts, "deliverability.bounced|" + key, rows.getLong(5));
            putCount(counts, "deliverability.complained|" + key, rows.getLong(6));
          }
        });
    db.query("SELECT s.address, s.scope, s.reason, s.count, extract(epoch FROM s.first_seen_at)::bigint,"
        + " extract(epoch FROM s.last_seen_at)::bigint, e.event_key, s.source, s.active"
        + " FROM suppressions s LEFT JOIN events e ON e.id = s.event_id", rows -> {
          while (rows.next()) {
            String key = rows.getString(1) + "|" + rows.getString(2) + "|" + rows.getString(3);
            putCount(counts, "suppressions.count|" + key, rows.getLong(4));
            facts.put("suppressions|" + key, suppressionFact(rows.getLong(5), rows.getLong(6), rows.getString(7),
                rows.getString(8)) + (rows.getBoolean(9) ? "" : " INACTIVE"));
          }
        });
    db.query("SELECT address, count(*) FROM soft_bounces GROUP BY address", rows -> {
      while (rows.next()) {
        putCount(counts, "soft_bounces|" + rows.getString(1), rows.getLong(2));
      }
    });
    db.query("SELECT m.message_id, m.recipient, m.event_count, m.status, extract(epoch FROM m.status_at)::bigint, e.event_key,"
        + " extract(epoch FROM m.first_event_at)::bigint, extract(epoch FROM m.last_event_at)::bigint, m.source"
        + " FROM messages m LEFT JOIN events e ON e.id = m.status_event_id", rows -> {
          while (rows.next()) {
            String key = rows.getString(1) + "|" + rows.getString(2);
            putCount(counts, "messages.event_count|" + key, rows.getLong(3));
            facts.put("messages|" + key, messageFact(rows.getString(4), rows.getLong(5), rows.getString(6), rows.getLong(7),
                rows.getLong(8), rows.getString(9)));
          }
        });
    return new HandlerEffects(counts, facts);
  }

  /** The normalized events of one source as stored in {@code events}. */
  static List<Event> stored(Ledger.Database db, String source) {
    List<Event> events = new ArrayList<>();
    db.query("SELECT event_key, type, bounce_type, reject_reason, coalesce(recipient, ''), message_id,"
        + " extract(epoch FROM occurred_at)::bigint, source FROM events WHERE source = '" + source + "'", rows -> {
          while (rows.next()) {
            events.add(new Event(rows.getString(1), rows.getString(2), rows.getString(3), rows.getString(4),
                rows.getString(5), rows.getString(6), rows.getLong(7), rows.getString(8)));
          }
        });
    return events;
  }

  /** Every counter that differs from {@code expected}, as {@code key: expected E, found F} (at most 30). */
  List<String> countsDifferingFrom(HandlerEffects expected) {
    return differences(expected.counts, counts);
  }

  /** Every row fact (times, causes, statuses) that differs from {@code expected} (at most 30). */
  List<String> factsDifferingFrom(HandlerEffects expected) {
    return differences(expected.facts, facts);
  }

  private static <T> List<String> differences(Map<String, T> expected, Map<String, T> found) {
    java.util.SortedSet<String> keys = new java.util.TreeSet<>(expected.keySet());
    keys.addAll(found.keySet());
    return keys.stream().filter(k -> !java.util.Objects.equals(expected.get(k), found.get(k)))
        .map(k -> k + ": expected " + expected.get(k) + ", found " + found.get(k)).limit(30).toList();
  }

  /** Counters above what the events give: effects applied more than once. */
  long excessOver(HandlerEffects expected) {
    return difference(counts, expected.counts);
  }

  /** Counters below what the events give: events some handler skipped. */
  long shortfallAgainst(HandlerEffects expected) {
    return difference(expected.counts, counts);
  }

  private static long difference(Map<String, Long> larger, Map<String, Long> smaller) {
    return larger.entrySet().stream().mapToLong(e -> Math.max(0, e.getValue() - smaller.getOrDefault(e.getKey(), 0L))).sum();
  }

  /** Zero counters are left out, as the handlers never write a row of zeros. */
  private static void putCount(Map<String, Long> counts, String key, long value) {
    if (value != 0) {
      counts.put(key, value);
    }
  }

  private static String suppressionReason(Event e) {
    return switch (e.type()) {
      case "bounced" -> "soft".equals(e.bounceType()) ? null : "hard_bounce";
      case "complained" -> "complaint";
      case "unsubscribed" -> "unsubscribe";
      case "rejected" -> switch (e.rejectReason() == null ? "" : e.rejectReason()) {
        case "invalid" -> "invalid";
        case "bounced" -> "hard_bounce";
        case "unsubscribed" -> "unsubscribe";
        default -> null;
      };
      default -> null;
    };
  }

  private static String suppressionFact(long first, long last, String causeKey, String source) {
    return "first=" + first + " last=" + last + " cause=" + causeKey + " source=" + source;
  }

  private static String messageFact(String status, long statusAt, String statusKey, long first, long last, String source) {
    return "status=" + status + " at=" + statusAt + " by=" + statusKey + " first=" + first + " last=" + last + " source=" + source;
  }
}
