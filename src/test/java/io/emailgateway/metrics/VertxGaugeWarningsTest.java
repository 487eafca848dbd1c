package io.emailgateway.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Real Micrometer registrations, so a change of its wording shows here and not as WARNs at start.
 * Micrometer warns about a second registration once per JVM and at DEBUG after that, so the
 * logger is set to DEBUG here: each case sees the message whichever test (or other class in this
 * JVM) came first.
 */
class VertxGaugeWarningsTest {
  private final LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
  private final Logger micrometer = context.getLogger(VertxGaugeWarnings.LOGGER);
  private final ListAppender<ILoggingEvent> captured = new ListAppender<>();
  private final VertxGaugeWarnings filter = new VertxGaugeWarnings();

  private Level levelBefore;

  @BeforeEach
  void capture() {
    levelBefore = micrometer.getLevel();
    micrometer.setLevel(Level.DEBUG);
    captured.start();
    micrometer.addAppender(captured);
    filter.start();
    context.addTurboFilter(filter);
  }

  @AfterEach
  void release() {
    context.getTurboFilterList().remove(filter);
    micrometer.detachAppender(captured);
    micrometer.setLevel(levelBefore);
  }

  @Test
  void anyOtherGaugeRegisteredAgainIsStillWarnedAbout() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Gauge.builder("gateway.outbox.events", new AtomicLong(), AtomicLong::get).register(registry);
    Gauge.builder("gateway.outbox.events", new AtomicLong(), AtomicLong::get).register(registry);

    assertThat(captured.list).extracting(ILoggingEvent::getFormattedMessage)
        .anySatisfy(message -> assertThat(message).startsWith("This Gauge has been already registered")
            .contains("gateway.outbox.events"));
  }

  @Test
  void aVertxGaugeRegisteredAgainIsDroppedButTheSameTextFromAnotherLoggerIsNot() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Gauge.builder("vertx.pool.in.use", new AtomicLong(), AtomicLong::get).register(registry);
    Gauge.builder("vertx.pool.in.use", new AtomicLong(), AtomicLong::get).register(registry);
    Logger other = context.getLogger("io.emailgateway.somewhere");
    other.addAppender(captured);
    other.warn(VertxGaugeWarnings.VERTX_GAUGE_AGAIN + "x'})");
    other.detachAppender(captured);

    assertThat(captured.list).extracting(ILoggingEvent::getLoggerName).containsExactly("io.emailgateway.somewhere");
  }
}
