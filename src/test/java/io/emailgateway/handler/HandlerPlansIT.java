package io.emailgateway.handler;

import static io.emailgateway.handler.HandlerTestKit.await;
import static io.emailgateway.handler.HandlerTestKit.minutes;
import static io.emailgateway.handler.HandlerTestKit.of;
import static org.assertj.core.api.Assertions.assertThat;

import io.emailgateway.Gateway;
import io.emailgateway.config.HandlerSettings;
import io.emailgateway.event.EventType;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The handlers' statements keep cached plans (planning each execution cost single-event ESPs
 * twice what running the statements did), and none of those plans reads {@code events}
 * sequentially — not even in a session that cached them while the table was empty and kept them
 * while it grew (the benchmark's handlers once fell to 900 events/s that way: autovacuum was off,
 * so no ANALYZE ever invalidated the plans). And their COMMIT does not wait for its WAL flush,
 * a setting that ends with the transaction.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HandlerPlansIT {
  private HandlerTestKit kit;
  private Pool oneSession;

  @BeforeAll
  void start() throws Exception {
    kit = new HandlerTestKit(getClass());
    oneSession = PgBuilder.pool().with(new PoolOptions().setMaxSize(1))
        .connectingTo(Gateway.poolOptions(sessionAsTheGatewayOpensIt())).using(kit.vertx).build();
  }

  /** As Gateway.connect: statements prepared once per connection, which is when plans get cached. */
  private PgConnectOptions sessionAsTheGatewayOpensIt() {
    return PgConnectOptions.fromUri(kit.db.uri()).setCachePreparedStatements(true);
  }

  @AfterAll
  void stop() throws Exception {
    await(oneSession.close());
    kit.close();
  }

  @Test
  void plansCachedWhileEventsWasNearlyEmptyStillReadItByKeyOnceItHasGrown() {
    HandlerSettings settings = HandlerTestKit.defaults();
    OutboxProcessor processor = new OutboxProcessor(oneSession, HandlersVerticle.builtIn(settings, List.of()), settings,
        kit.metrics);
    for (int i = 0; i < 8; i++) {
      handleTwoEvents(processor, "plans" + i);
    }
    growEvents(50_000);
    handleTwoEvents(processor, "grown");

    Map<String, String> cachedPlans = cachedPlansReadingEvents();
    assertThat(cachedPlans).as("handler statements on events that ran with their cached plan").isNotEmpty();
    assertThat(cachedPlans).allSatisfy((statement, plan) ->
        assertThat(plan).as(statement).contains("events").doesNotContain("Seq Scan on events"));
    assertThat(kit.db.count("SELECT sum(opens) FROM engagement WHERE recipient LIKE 'plans%' OR recipient LIKE 'grown%'"))
        .isEqualTo(9);
  }

  /** Events of types every handler statement acts on, so that each of them runs and caches its plan. */
  private void handleTwoEvents(OutboxProcessor processor, String recipient) {
    kit.store(of(EventType.OPENED, recipient + "@example.com", minutes(1)),
        of(EventType.DELIVERED, recipient + "@example.com", minutes(1)),
        HandlerTestKit.softBounce(recipient + "@example.com", minutes(2)),
        of(EventType.SUBSCRIBED, recipient + "@example.com", minutes(3)));
    assertThat(await(processor.processOnce()).events()).isEqualTo(4);
  }

  @Test
  void handlerTransactionsCommitWithoutWaitingForTheirWalFlushAndLeaveTheSessionAsItWas() {
    HandlerSettings settings = HandlerTestKit.defaults();
    AtomicReference<String> inTransaction = new AtomicReference<>();
    List<EventHandler> handlers = new ArrayList<>(HandlersVerticle.builtIn(settings, List.of()));
    handlers.add(new EventHandler() {
      @Override
      public String name() {
        return "settings";
      }

      @Override
      public Future<Void> apply(SqlConnection tx, EventBatch batch) {
        return tx.query("SELECT current_setting('synchronous_commit')").execute()
            .onSuccess(rows -> inTransaction.set(rows.iterator().next().getString(0))).mapEmpty();
      }
    });
    OutboxProcessor processor = new OutboxProcessor(oneSession, handlers, settings, kit.metrics);

    handleTwoEvents(processor, "async");

    assertThat(inTransaction.get()).isEqualTo("off");
    assertThat(await(oneSession.query("SHOW synchronous_commit").execute()).iterator().next().getString(0))
        .as("the session afterwards").isEqualTo("on");
    assertThat(kit.db.count("SELECT opens FROM engagement WHERE recipient = 'async@example.com'"))
        .as("the transaction committed").isEqualTo(1);
  }

  /** Rows that need no handling (no outbox row names them): the table grows, and no ANALYZE comes. */
  private void growEvents(int rows) {
    await(oneSession.query("INSERT INTO events (source, provider, event_key, type, occurred_at, recipient, esp_event) "
        + "SELECT 'grown', 'sendgrid', 'k' || n, 'delivered', now(), 'r' || n || '@example.com', '{}' "
        + "FROM generate_series(1, " + rows + ") AS n").execute());
  }

  /**
   * The plan each of this session's prepared statements that names {@code events} has cached and
   * used (generic_plans > 0), as EXPLAIN shows it: the plan made while the table was small.
   */
  private Map<String, String> cachedPlansReadingEvents() {
    return await(oneSession.withConnection(conn -> conn.query("SELECT name, statement, "
            + "coalesce(array_length(parameter_types, 1), 0) AS parameters FROM pg_prepared_statements "
            + "WHERE generic_plans > 0 AND statement LIKE '%events%'").execute()
        .compose(statements -> {
          Map<String, String> plans = new TreeMap<>();
          Future<Void> chain = conn.query("BEGIN; SET LOCAL plan_cache_mode = force_generic_plan").execute().mapEmpty();
          for (Row statement : statements) {
            String arguments = String.join(", ", Collections.nCopies(statement.getInteger("parameters"), "NULL"));
            chain = chain.compose(v -> conn.query("EXPLAIN EXECUTE \"" + statement.getString("name") + "\"("
                + arguments + ")").execute().map(lines -> {
                  StringBuilder plan = new StringBuilder();
                  lines.forEach(line -> plan.append(line.getString(0)).append('\n'));
                  plans.put(statement.getString("statement"), plan.toString());
                  return null;
                }));
          }
          return chain.compose(v -> conn.query("ROLLBACK").execute()).map(plans);
        })));
  }
}
