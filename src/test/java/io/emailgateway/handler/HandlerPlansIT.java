package io.emailgateway.handler;

import static io.emailgateway.handler.HandlerTestKit.await;
import static io.emailgateway.handler.HandlerTestKit.minutes;
import static io.emailgateway.handler.HandlerTestKit.of;
import static org.assertj.core.api.Assertions.assertThat;

import io.emailgateway.Gateway;
import io.emailgateway.config.HandlerSettings;
import io.emailgateway.event.EventType;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The handlers' statements are planned for their own parameters on every execution: a session
 * that had cached generic plans while {@code events} was empty kept sequential scans of the whole
 * table for its life (the benchmark's handlers fell to 900 events/s as the table grew).
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
  void aSessionThatHandledBatchesOfAnEmptyTableNeverCachesAGenericPlan() {
    HandlerSettings settings = HandlerTestKit.defaults();
    OutboxProcessor processor = new OutboxProcessor(oneSession, HandlersVerticle.builtIn(settings, List.of()), settings,
        kit.metrics);
    for (int i = 0; i < 8; i++) {
      kit.store(of(EventType.OPENED, "plans" + i + "@example.com", minutes(i)),
          of(EventType.DELIVERED, "plans" + i + "@example.com", minutes(i)));
      assertThat(await(processor.processOnce()).events()).isEqualTo(2);
    }

    Row plans = await(oneSession.query("SELECT coalesce(sum(generic_plans), 0) AS generic, "
        + "coalesce(sum(custom_plans), 0) AS custom FROM pg_prepared_statements").execute()).iterator().next();
    assertThat(plans.getLong("custom")).as("the handlers' statements ran as prepared statements").isGreaterThan(0);
    assertThat(plans.getLong("generic")).as("executions with a cached generic plan").isZero();
    assertThat(kit.db.count("SELECT sum(opens) FROM engagement WHERE recipient LIKE 'plans%'")).isEqualTo(8);
  }
}
