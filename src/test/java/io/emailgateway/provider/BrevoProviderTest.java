package io.emailgateway.provider;

import static io.emailgateway.provider.CredentialAssertions.assertAccepted;
import static io.emailgateway.provider.CredentialAssertions.assertUnauthorized;
import static io.emailgateway.provider.CredentialAssertions.authorized;
import static io.emailgateway.provider.CredentialAssertions.basic;
import static io.emailgateway.provider.CredentialAssertions.jsonWith;
import static io.emailgateway.provider.CredentialAssertions.source;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.emailgateway.event.EmailEvent;
import io.emailgateway.event.EventKeys;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Brevo signs nothing (REFERENCE.md §10.6: no vectors): basic auth or a bearer token, and the
 * §10.3 mapping. Status codes matter more than elsewhere (§17.7): Brevo drops a batch answered
 * with 4xx (except 429) for good, so only a body Brevo could never send may be answered 400.
 */
class BrevoProviderTest {
  private static final String BOTH = """
      {"id":"bv","provider":"brevo",
       "basic_auth":[{"username":"brevo","password":"old-pass"},{"username":"brevo","password":"new-pass"}],
       "bearer_tokens":["client-token-old","client-token-new"]}""";
  private static final String EVENT = "{\"event\":\"delivered\",\"email\":\"a@example.com\",\"ts_epoch\":1604933654000}";

  private final BrevoProvider provider = new BrevoProvider(source(BOTH));

  @Nested
  class Authentication {
    @Test
    void basicAuthFromTheUrlVerifies() {
      assertAccepted(provider.authenticate(authorized(basic("brevo", "old-pass"), EVENT)));
    }

    @Test
    void theBearerTokenSetOnTheWebhookVerifies() {
      assertAccepted(provider.authenticate(authorized("Bearer client-token-old", EVENT)));
    }

    @Test
    void theSecondEntryOfEachListVerifiesDuringARotation() {
      assertAccepted(provider.authenticate(authorized(basic("brevo", "new-pass"), EVENT)));
      assertAccepted(provider.authenticate(authorized("Bearer client-token-new", EVENT)));
    }

    @Test
    void wrongCredentialsAreRefused() {
      assertUnauthorized(provider.authenticate(authorized(basic("brevo", "nope"), EVENT)), "matches no configured credential");
      assertUnauthorized(provider.authenticate(authorized("Bearer client-token", EVENT)), "matches no configured credential");
    }

    @Test
    void aMissingAuthorizationHeaderIsRefused() {
      assertUnauthorized(provider.authenticate(jsonWith(Map.of(), EVENT)), "missing Authorization header");
    }

    @Test
    void anUnknownSchemeIsRefused() {
      assertUnauthorized(provider.authenticate(authorized("Token client-token-old", EVENT)), "matches no configured credential");
    }

    @Test
    void aSourceWithoutCredentialsIsDisabled() {
      assertThatThrownBy(() -> new BrevoProvider(source("{\"id\":\"bv\",\"provider\":\"brevo\",\"bearer_tokens\":[]}")))
          .isInstanceOf(MissingCredentialsException.class).hasMessageContaining("bearer_tokens");
    }

    @Test
    void theRegistryBuildsTheProviderForJson() {
      WebhookProvider built = ProviderRegistry.create(source(BOTH), null);
      assertThat(built).isInstanceOf(BrevoProvider.class);
      assertThat(built.acceptsContentType("application/json")).isTrue();
      assertThat(built.acceptsContentType("multipart/form-data")).isFalse();
    }
  }

  @Nested
  class Mapping {
    @ParameterizedTest(name = "{0} → {1}, reject_reason {2}, bounce_type {3}")
    @CsvSource(nullValues = "null", value = {
        "request, queued, null, null",
        "delivered, delivered, null, null",
        "hard_bounce, bounced, bounced, hard",
        "soft_bounce, bounced, bounced, soft",
        "invalid_email, bounced, invalid, hard",
        "blocked, rejected, blocked, null",
        "spam, complained, spam, null",
        "complaint, complained, spam, null",
        "deferred, deferred, null, null",
        "opened, opened, null, null",
        "unique_opened, opened, null, null",
        "proxy_open, opened, null, null",
        "unique_proxy_open, opened, null, null",
        "unique_proxy_opened, opened, null, null",
        "click, clicked, null, null",
        "unsubscribe, unsubscribed, null, null",
        "error, failed, null, null",
        "list_addition, subscribed, null, null",
        "something_new, unknown, null, null"})
    void eachBrevoEventMapsAsDocumented(String espType, String type, String reason, String bounceType) {
      EmailEvent event = provider.parse(jsonWith(Map.of(),
          new JsonObject().put("event", espType).put("email", "a@example.com").put("ts_epoch", 1604933654000L).encode())).get(0);
      assertThat(event.type().wireName()).isEqualTo(type);
      assertThat(event.rejectReason() == null ? null : event.rejectReason().wireName()).isEqualTo(reason);
      assertThat(event.bounceType() == null ? null : event.bounceType().wireName()).isEqualTo(bounceType);
    }

    @Test
    void anEventIsKeyedByTheHashOfItsObjectBecauseBrevoHasNoEventId() {
      EmailEvent event = provider.parse(jsonWith(Map.of(), EVENT)).get(0);
      assertThat(event.eventKey()).isEqualTo(EventKeys.contentHash(new JsonObject(EVENT)));
      assertThat(event.espEvent()).isEqualTo(new JsonObject(EVENT));
    }

    @Test
    void theSameEventSingleOrBatchedGetsTheSameKey() {
      String single = provider.parse(jsonWith(Map.of(), EVENT)).get(0).eventKey();
      String batched = provider.parse(jsonWith(Map.of(), "[" + EVENT + "]")).get(0).eventKey();
      assertThat(batched).isEqualTo(single);
    }

    @Test
    void anImpossibleTsEpochGivesWayToTheNextTimeField() {
      String body = "{\"event\":\"delivered\",\"email\":\"a@example.com\",\"ts_epoch\":1e40,\"ts_event\":1604933654}";
      assertThat(provider.parse(jsonWith(Map.of(), body)).get(0).occurredAt()).isEqualTo(Instant.parse("2020-11-09T14:54:14Z"));
    }

    @Test
    void aTimeThatCannotBeReadFallsBackToTheArrivalTime() {
      var request = jsonWith(Map.of(), "{\"event\":\"delivered\",\"email\":\"a@example.com\",\"date\":\"yesterday\"}");
      assertThat(provider.parse(request).get(0).occurredAt()).isEqualTo(request.receivedAt());
    }
  }

  @Nested
  class Batches {
    @Test
    void everyEventOfABatchIsProducedInOrder() {
      ConformanceCorpus.Case batch = caseNamed("gateway_batched_events");
      List<EmailEvent> events = provider.parse(batch.request());
      JsonArray elements = new JsonArray(batch.json().getString("body"));
      assertThat(events).hasSize(elements.size());
      for (int i = 0; i < elements.size(); i++) {
        assertThat(events.get(i).espEvent()).isEqualTo(elements.getJsonObject(i));
      }
    }

    @Test
    void aFullBatchOfFiveHundredYieldsFiveHundredEvents() {
      StringBuilder body = new StringBuilder("[");
      for (int i = 0; i < 500; i++) {
        body.append(i == 0 ? "" : ",").append("{\"event\":\"delivered\",\"email\":\"r").append(i)
            .append("@example.com\",\"ts_epoch\":1604933654000}");
      }
      assertThat(provider.parse(jsonWith(Map.of(), body.append(']').toString())))
          .hasSize(500).extracting(EmailEvent::eventKey).doesNotHaveDuplicates();
    }

    @Test
    void objectsThatCannotBeMappedAreStoredNotRefused() {
      List<EmailEvent> events = provider.parse(jsonWith(Map.of(), "[{},{\"event\":42}," + EVENT + "]"));
      assertThat(events).extracting(e -> e.type().wireName()).containsExactly("unknown", "unknown", "delivered");
    }

    @Test
    void onlyBodiesBrevoCouldNeverSendAreRefused() {
      for (String body : List.of("[" + EVENT + ",null]", "42", "not json", "{\"items\":[]}")) {
        assertThatThrownBy(() -> provider.parse(jsonWith(Map.of(), body))).as(body)
            .isInstanceOfSatisfying(WebhookException.class, e -> assertThat(e.status()).isEqualTo(400));
      }
    }
  }

  private static ConformanceCorpus.Case caseNamed(String name) {
    return ConformanceCorpus.cases("brevo").filter(c -> c.name().equals(name)).findFirst().orElseThrow();
  }
}
