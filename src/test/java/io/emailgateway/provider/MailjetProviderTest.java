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
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Mailjet signs nothing (REFERENCE.md §9.6: no vectors): basic auth in the callback URL, and the §9.3 mapping. */
class MailjetProviderTest {
  private static final String ROTATING = """
      {"id":"mj","provider":"mailjet",
       "basic_auth":[{"username":"mailjet","password":"old-pass"},{"username":"mailjet","password":"new-pass"}]}""";
  private static final String EVENT = "{\"event\":\"open\",\"time\":1433103519,\"MessageID\":19421777835146490,\"email\":\"a@example.com\"}";

  private final MailjetProvider provider = new MailjetProvider(source(ROTATING));

  @Nested
  class Authentication {
    @Test
    void theConfiguredCredentialsVerify() {
      assertAccepted(provider.authenticate(authorized(basic("mailjet", "old-pass"), EVENT)));
    }

    @Test
    void theSecondCredentialVerifiesDuringARotation() {
      assertAccepted(provider.authenticate(authorized(basic("mailjet", "new-pass"), EVENT)));
    }

    @Test
    void aWrongPasswordIsRefused() {
      assertUnauthorized(provider.authenticate(authorized(basic("mailjet", "wrong"), EVENT)), "matches no configured credential");
    }

    @Test
    void aMissingAuthorizationHeaderIsRefused() {
      assertUnauthorized(provider.authenticate(jsonWith(Map.of(), EVENT)), "missing Authorization header");
    }

    @Test
    void aBearerTokenIsNoMailjetCredential() {
      assertUnauthorized(provider.authenticate(authorized("Bearer old-pass", EVENT)), "matches no configured credential");
    }

    @Test
    void aSourceWithoutBasicAuthIsDisabled() {
      assertThatThrownBy(() -> new MailjetProvider(source("{\"id\":\"mj\",\"provider\":\"mailjet\",\"bearer_tokens\":[\"t\"]}")))
          .isInstanceOf(MissingCredentialsException.class).hasMessageContaining("sources[0].basic_auth");
    }

    @Test
    void theRegistryBuildsTheProviderForJson() {
      WebhookProvider built = ProviderRegistry.create(source(ROTATING), null);
      assertThat(built).isInstanceOf(MailjetProvider.class);
      assertThat(built.acceptsContentType("application/json")).isTrue();
      assertThat(built.acceptsContentType("text/plain")).isFalse();
    }
  }

  @Nested
  class Mapping {
    @ParameterizedTest(name = "{0} (hard_bounce {1}, error \"{2}\") → {3}, bounce_type {4}, reject_reason {5}")
    @CsvSource(nullValues = "null", value = {
        "sent, null, null, delivered, null, null",
        "open, null, null, opened, null, null",
        "click, null, null, clicked, null, null",
        "bounce, true, user unknown, bounced, hard, bounced",
        "bounce, false, mailbox inactive, bounced, soft, bounced",
        "bounce, false, quota exceeded, bounced, soft, bounced",
        "bounce, true, invalid domain, bounced, hard, bounced",
        "bounce, true, no mail host, bounced, hard, bounced",
        "bounce, false, relay/access denied, bounced, soft, bounced",
        "bounce, false, greylisted, deferred, null, other",
        "bounce, true, greylisted, bounced, hard, other",
        "bounce, false, content blocked, bounced, soft, blocked",
        "blocked, null, blacklisted, rejected, null, blocked",
        "blocked, null, sender blocked, rejected, null, blocked",
        "blocked, null, policy issue, rejected, null, blocked",
        "blocked, null, preblocked, rejected, null, blocked",
        "blocked, null, spam reporter, rejected, null, spam",
        "blocked, null, typofix, rejected, null, invalid",
        "blocked, null, duplicate in campaign, rejected, null, other",
        "blocked, null, a new error, rejected, null, other",
        "spam, null, null, complained, null, null",
        "unsub, null, null, unsubscribed, null, null",
        "sent_to_list, null, null, unknown, null, null"})
    void eachMailjetEventAndErrorMapsAsDocumented(String type, String hard, String error, String normalized,
        String bounceType, String reason) {
      JsonObject event = new JsonObject().put("event", type).put("time", 1430812195).put("email", "x@example.com");
      if (hard != null) {
        event.put("hard_bounce", Boolean.parseBoolean(hard));
      }
      if (error != null) {
        event.put("error", error).put("error_related_to", "recipient");
      }
      EmailEvent mapped = provider.parse(jsonWith(Map.of(), event.encode())).get(0);
      assertThat(mapped.type().wireName()).isEqualTo(normalized);
      assertThat(mapped.bounceType() == null ? null : mapped.bounceType().wireName()).isEqualTo(bounceType);
      assertThat(mapped.rejectReason() == null ? null : mapped.rejectReason().wireName()).isEqualTo(reason);
    }

    @ParameterizedTest(name = "MessageID {0} is kept exactly")
    @CsvSource({"19421777835146490", "9007199254740993", "13792286917004336", "9223372036854775807", "18446744073709551617"})
    void messageIdsBeyondTwoToTheFiftyThirdStayExact(String digits) {
      String body = "{\"event\":\"open\",\"time\":1433103519,\"MessageID\":" + digits + ",\"email\":\"a@example.com\"}";
      EmailEvent event = provider.parse(jsonWith(Map.of(), body)).get(0);
      assertThat(event.messageId()).isEqualTo(digits);
      assertThat(event.espEvent().encode()).contains("\"MessageID\":" + digits);
    }

    @Test
    void theDeprecatedStringIdIsUsedWhenMessageIdIsAbsent() {
      String body = "{\"event\":\"sent\",\"time\":1433103519,\"mj_message_id\":\"19421777835146490\",\"email\":\"a@example.com\"}";
      assertThat(provider.parse(jsonWith(Map.of(), body)).get(0).messageId()).isEqualTo("19421777835146490");
    }

    @Test
    void aBareEventIsOneEventKeyedByItsContentHash() {
      List<EmailEvent> events = provider.parse(jsonWith(Map.of(), EVENT));
      assertThat(events).hasSize(1);
      assertThat(events.get(0).eventKey()).isEqualTo(EventKeys.contentHash(new JsonObject(EVENT)));
      assertThat(events.get(0).espEvent()).isEqualTo(new JsonObject(EVENT));
    }

    @Test
    void theSameEventAloneOrGroupedGetsTheSameKey() {
      String alone = provider.parse(jsonWith(Map.of(), EVENT)).get(0).eventKey();
      String grouped = provider.parse(jsonWith(Map.of(), "[{\"event\":\"sent\",\"email\":\"z@example.com\"},  " + EVENT + "]"))
          .get(1).eventKey();
      assertThat(grouped).isEqualTo(alone);
    }
  }

  @Nested
  class Batches {
    @Test
    void everyEventOfAGroupIsProducedInOrder() {
      ConformanceCorpus.Case grouped = caseNamed("gateway_grouped_events");
      List<EmailEvent> events = provider.parse(grouped.request());
      JsonArray elements = new JsonArray(grouped.json().getString("body"));
      assertThat(events).hasSize(elements.size());
      for (int i = 0; i < elements.size(); i++) {
        assertThat(events.get(i).espEvent()).isEqualTo(elements.getJsonObject(i));
      }
      assertThat(events).extracting(EmailEvent::eventKey).doesNotHaveDuplicates();
    }

    @Test
    void anUnreadableTimeFallsBackToTheArrivalTime() {
      var request = caseNamed("gateway_unknown_and_incomplete_events").request();
      assertThat(provider.parse(request).get(1).occurredAt()).isEqualTo(request.receivedAt());
    }

    @Test
    void aGroupWithANonObjectElementIsRefusedNamingIt() {
      assertThatThrownBy(() -> provider.parse(jsonWith(Map.of(), "[" + EVENT + ",[1]]")))
          .isInstanceOfSatisfying(WebhookException.class, e -> {
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.publicMessage()).contains("[1]");
          });
    }

    @Test
    void bodiesThatAreNotJsonAreRefused() {
      assertThatThrownBy(() -> provider.parse(jsonWith(Map.of(), "event=open")))
          .isInstanceOfSatisfying(WebhookException.class, e -> assertThat(e.status()).isEqualTo(400));
    }

    @Test
    void anEmptyGroupYieldsNoEvents() {
      assertThat(provider.parse(jsonWith(Map.of(), "[]"))).isEmpty();
    }
  }

  private static ConformanceCorpus.Case caseNamed(String name) {
    return ConformanceCorpus.cases("mailjet").filter(c -> c.name().equals(name)).findFirst().orElseThrow();
  }
}
