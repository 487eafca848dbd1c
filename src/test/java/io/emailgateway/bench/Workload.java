package io.emailgateway.bench;

import io.emailgateway.provider.WebhookProvider;

/**
 * One kind of webhook traffic. {@link #request} builds the {@code index}-th request of a run,
 * signed as the ESP signs it, with event keys that start with {@code run} and are unique in it,
 * so a run's stored events can be found again and counted.
 */
interface Workload {
  /** As printed in the table, e.g. {@code sendgrid-100}. */
  String name();

  /** The source id of bench/gateway-bench.yaml this traffic is posted to. */
  String source();

  int eventsPerRequest();

  Presigned request(String run, int index);

  /**
   * A generous guess of the gateway's rate on two cores, so that enough requests are signed even
   * when a cold warm-up underestimates it (a phase that runs out ends early and says so).
   */
  default double guessRequestsPerSecond() {
    return eventsPerRequest() == 1 ? 5000 : Math.min(5000, 30_000.0 / eventsPerRequest());
  }

  /** The gateway's provider for this source, used to turn the same bodies into the database ceiling's rows. */
  WebhookProvider provider();
}
