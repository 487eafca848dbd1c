package io.emailgateway.bench;

import io.emailgateway.event.BounceType;
import io.emailgateway.event.EmailEvent;
import io.emailgateway.event.EventType;
import io.emailgateway.handler.HandlerTestKit;
import io.emailgateway.handler.OutboxProcessor;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * How fast one handler verticle works through a backlog (not a test): stores {@code batches}
 * committed batches of {@code events} realistic events each (one outbox row per batch, as group
 * commit writes them), then times draining them with the default handler settings, and reads the
 * CPU its PostgreSQL backends spent meanwhile (from /proc: PostgreSQL on this machine).
 * <pre>
 * GATEWAY_PG_URI=postgresql://postgres@127.0.0.1:5432/postgres \
 * java -cp target/test-classes:target/classes:$(cat cp.txt) io.emailgateway.bench.HandlerThroughput [batches=200] [events=250]
 * </pre>
 */
public final class HandlerThroughput {
  private static final EventType[] MIX = {EventType.DELIVERED, EventType.DELIVERED, EventType.DELIVERED,
      EventType.DELIVERED, EventType.DELIVERED, EventType.DELIVERED, EventType.OPENED, EventType.OPENED,
      EventType.CLICKED, EventType.BOUNCED, EventType.DEFERRED, EventType.COMPLAINED};

  public static void main(String[] args) throws Exception {
    int batches = args.length > 0 ? Integer.parseInt(args[0]) : 200;
    int perBatch = args.length > 1 ? Integer.parseInt(args[1]) : 250;
    Random random = new Random(42);
    try (HandlerTestKit kit = new HandlerTestKit(HandlerThroughput.class)) {
      for (int b = 0; b < batches; b++) {
        List<EmailEvent> events = new ArrayList<>(perBatch);
        for (int i = 0; i < perBatch; i++) {
          events.add(event(random, b * perBatch + i));
        }
        kit.store(events.toArray(EmailEvent[]::new));
      }
      OutboxProcessor processor = kit.processor(HandlerTestKit.defaults());
      // The kit's pool and store keep Vert.x's default application name; only the pool works during the drain.
      CpuMeter postgres = new CpuMeter(0, Scenarios.jdbcUrl(kit.db.uri()), "vertx-pg-client");
      CpuMeter.Split before = postgres.read();
      long started = System.nanoTime();
      int handled = kit.drain(processor);
      double seconds = (System.nanoTime() - started) / 1e9;
      double postgresSeconds = postgres.read().minus(before).postgres();
      System.out.printf("%d events in %d batches handled in %.2f s: %.0f events/s, PostgreSQL CPU %.1f µs/event%n",
          handled, batches, seconds, handled / seconds, postgresSeconds * 1e6 / handled);
      StringBuilder perHandler = new StringBuilder("wall time per event by handler (µs):");
      for (Timer timer : kit.registry.find("gateway.handler.duration").timers()) {
        perHandler.append(String.format(" %s %.1f", timer.getId().getTag("handler"),
            timer.totalTime(TimeUnit.MICROSECONDS) / handled));
      }
      Timer batch = kit.registry.find("gateway.handler.batch.duration").timer();
      System.out.println(perHandler + String.format("; whole transactions %.1f",
          batch == null ? Double.NaN : batch.totalTime(TimeUnit.MICROSECONDS) / handled));
    }
  }

  private static EmailEvent event(Random random, int n) {
    EventType type = MIX[random.nextInt(MIX.length)];
    String recipient = "user" + random.nextInt(20_000) + "@example" + random.nextInt(50) + ".com";
    EmailEvent.Builder builder = EmailEvent.builder("sendgrid-main", "sendgrid").type(type).recipient(recipient)
        .occurredAt(Instant.parse("2024-05-01T00:00:00Z").plusSeconds(random.nextInt(86_400 * 3)))
        .eventKey(UUID.randomUUID().toString()).messageId("m" + n / 3 + "." + recipient)
        .sender("news@mail" + random.nextInt(5) + ".shop.example")
        .espEvent(new JsonObject().put("event", type.wireName()).put("email", recipient).put("n", n));
    if (type == EventType.BOUNCED) {
      builder.bounceType(random.nextInt(3) == 0 ? BounceType.SOFT : BounceType.HARD);
    }
    return builder.build();
  }
}
