package io.emailgateway.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.emailgateway.testing.SendGridFixtures;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * SIGTERM on the embedded default (no PostgreSQL or Redis configured): the drain must still have
 * its database. The embedded PostgreSQL used to be stopped by its library's own shutdown hook,
 * which the JVM runs at the same time as the gateway's: a request whose body was still arriving at
 * SIGTERM then found the server gone (503) and the log ended in "terminating connection due to
 * administrator command". Now the gateway stops the embedded services itself, after the drain.
 */
class EmbeddedShutdownIT {
  private static final String SOURCE = "sg";

  @Test
  void aRequestInFlightAtSigtermIsStoredBeforeTheEmbeddedDatabaseStops() {
    SendGridFixtures sendgrid = new SendGridFixtures();
    Path work = Path.of("target", "reliability-work", "embedded-shutdown-" + System.nanoTime());
    JsonObject config = new JsonObject()
        .put("embedded", new JsonObject().put("data_dir", work.resolve("data").toString()))
        .put("sources", new JsonArray().add(new JsonObject().put("id", SOURCE).put("provider", "sendgrid")
            .put("public_keys", new JsonArray().add(sendgrid.publicKey()))));
    GatewayProcess gateway = GatewayProcess.configure(work, "embedded-shutdown", config);
    try {
      gateway.start();
      assertThat(gateway.log()).contains("EMBEDDED PostgreSQL started");
      EspLoad esp = new EspLoad(sendgrid, SOURCE);
      assertThat(esp.send(gateway.port(), esp.newDelivery())).isEqualTo(200);

      AtomicInteger heldStatus = new AtomicInteger();
      Thread held = new Thread(() -> heldStatus.set(esp.sendHeld(gateway.port(), esp.newDelivery(), Duration.ofMillis(1000))),
          "held-request");
      held.start();
      GatewayProcess.sleep(300); // SIGTERM while the rest of the body is still 700 ms away
      gateway.terminate(Duration.ofSeconds(60));
      held.join(30_000);

      assertThat(heldStatus.get()).as("the request in flight at SIGTERM").isEqualTo(200);
      assertThat(gateway.log()).contains("shut down cleanly").doesNotContain("terminating connection");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } finally {
      gateway.close();
    }
  }
}
