package io.emailgateway.reliability;

import io.emailgateway.provider.ConformanceCorpus;
import io.emailgateway.provider.EspSigners;
import io.vertx.core.json.JsonArray;

/** Corpus fixtures the reliability suites send as genuine traffic. */
final class Fixtures {
  private Fixtures() {}

  /**
   * The first fixture of a provider that it stores (no expected refusal, at least one event), in
   * the format its signer signs (Mailgun's current JSON, not its legacy forms), and not an SNS
   * subscription handshake.
   */
  static ConformanceCorpus.Case accepted(EspSigners signers, String provider) {
    String mediaType = signers.of(provider).contentType().split(";")[0];
    return ConformanceCorpus.cases(provider)
        .filter(c -> !c.json().containsKey("expected_status") && !c.json().getJsonArray("expected", new JsonArray()).isEmpty())
        .filter(c -> c.contentType().startsWith(mediaType))
        .filter(c -> !c.name().contains("subscription") && !c.name().contains("confirmation"))
        .findFirst().orElseThrow();
  }
}
