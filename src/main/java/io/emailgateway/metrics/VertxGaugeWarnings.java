package io.emailgateway.metrics;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.Marker;

/**
 * Drops Micrometer's "This Gauge has been already registered" warning for Vert.x's own gauges
 * (installed in {@code logback.xml}). Vert.x Micrometer registers one gauge per client or server
 * instance under the same id and keeps their values in one shared adder, so the second
 * registration is expected and the gauge still counts every instance (checked: 6 connections to
 * the two ingest instances plus one scrape read {@code vertx_http_server_active_connections} 7).
 * The warning at every start told operators about nothing. Micrometer warns once per JVM and
 * then logs the same text at DEBUG; the same message for any other gauge (the gateway's own)
 * still gets through at whichever level it comes.
 */
public final class VertxGaugeWarnings extends TurboFilter {
  static final String LOGGER = "io.micrometer.core.instrument.MeterRegistry";
  static final String VERTX_GAUGE_AGAIN = "This Gauge has been already registered (MeterId{name='vertx.";

  @Override
  public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
    return format != null && logger.getName().equals(LOGGER) && format.startsWith(VERTX_GAUGE_AGAIN)
        ? FilterReply.DENY : FilterReply.NEUTRAL;
  }
}
