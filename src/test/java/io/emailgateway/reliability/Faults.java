package io.emailgateway.reliability;

/**
 * How hard the fault suites push: the short deterministic subset by default ({@code mvn verify}),
 * the full suite with {@code -Pfaults} (README "Reliability"), which sets these properties.
 */
final class Faults {
  private Faults() {}

  /** kill -9 cycles of the real jar under load (full suite: at least 20). */
  static int killCycles() {
    return Integer.getInteger("reliability.killCycles", 2);
  }

  /** Longest load before each kill; the kill comes at a random moment up to it. */
  static long loadMillis() {
    return Long.getLong("reliability.loadMillis", 2000);
  }

  /** PostgreSQL outages (alternately a clean stop and a crash of the postmaster in the full suite). */
  static int postgresOutages() {
    return Integer.getInteger("reliability.postgresOutages", 1);
  }

  static long outageMillis() {
    return Long.getLong("reliability.outageMillis", 4000);
  }

  static int redisOutages() {
    return Integer.getInteger("reliability.redisOutages", 1);
  }

  static int shutdowns() {
    return Integer.getInteger("reliability.shutdowns", 1);
  }

  /**
   * Crash cycles of the handlers while they drain the outbox: in each, the gateway's PostgreSQL
   * connections are cut mid-transaction once and the jar is killed with SIGKILL once (full suite: 10).
   */
  static int handlerCrashes() {
    return Integer.getInteger("reliability.handlerCrashes", 2);
  }

  /** How long the ESP load runs against a gateway whose forwarding destinations hang or trickle. */
  static long slowForwardingMillis() {
    return Long.getLong("reliability.slowForwardingMillis", 5000);
  }

  /** Slow senders held open at once (slowloris). */
  static int slowSenders() {
    return Integer.getInteger("reliability.slowSenders", 20);
  }
}
