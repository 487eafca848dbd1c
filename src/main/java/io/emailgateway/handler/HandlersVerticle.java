package io.emailgateway.handler;

import io.emailgateway.config.DestinationConfig;
import io.emailgateway.config.HandlerSettings;
import io.emailgateway.handler.forward.DeliveryStore;
import io.emailgateway.handler.forward.ForwardMetrics;
import io.emailgateway.handler.forward.ForwardVerticle;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/**
 * Everything that works on stored events, deployed (and undeployed) as one unit: the handler
 * verticles, the forwarder when destinations are configured, the lag gauges and the soft-bounce
 * pruner. Children deployed here are undeployed with this verticle.
 */
public final class HandlersVerticle extends VerticleBase {
  private final Pool pool;
  private final HandlerSettings settings;
  private final List<DestinationConfig> destinations;
  private final MeterRegistry registry;
  private final Supplier<Duration> ingestBehind;

  /** {@code ingestBehind}: how far the persist path is behind, so that handlers yield to it (HandlerVerticle). */
  public HandlersVerticle(Pool pool, HandlerSettings settings, List<DestinationConfig> destinations,
      MeterRegistry registry, Supplier<Duration> ingestBehind) {
    this.ingestBehind = ingestBehind;
    this.pool = pool;
    this.settings = settings;
    this.destinations = List.copyOf(destinations);
    this.registry = registry;
  }

  /** The built-in handlers, in the order their statements run in each transaction. */
  public static List<EventHandler> builtIn(HandlerSettings settings, List<DestinationConfig> destinations) {
    return List.of(new SuppressionHandler(settings.suppression()), new MessageStatusHandler(), new EngagementHandler(),
        new DeliverabilityHandler(), new DeliveryQueueHandler(destinations));
  }

  @Override
  public Future<?> start() {
    HandlerMetrics metrics = new HandlerMetrics(registry);
    OutboxProcessor processor = new OutboxProcessor(pool, builtIn(settings, destinations), settings, metrics);
    return vertx.deployVerticle(() -> new HandlerVerticle(processor, settings, metrics, ingestBehind),
            new DeploymentOptions().setInstances(settings.instances()))
        .compose(id -> destinations.isEmpty() ? Future.succeededFuture(id)
            : vertx.deployVerticle(new ForwardVerticle(new DeliveryStore(pool), destinations,
                settings.forwardPollInterval(), new ForwardMetrics(registry, destinations.stream().map(DestinationConfig::id).toList()))))
        .compose(id -> vertx.deployVerticle(new LagMonitorVerticle(pool, settings, registry)))
        .compose(id -> vertx.deployVerticle(new SoftBouncePruner(pool, settings.suppression().softBounceWindow())));
  }
}
