package io.emailgateway.provider;

import static io.emailgateway.provider.CredentialAssertions.assertAccepted;
import static io.emailgateway.provider.CredentialAssertions.assertUnauthorized;
import static io.emailgateway.provider.CredentialAssertions.authorized;
import static io.emailgateway.provider.CredentialAssertions.basic;
import static io.emailgateway.provider.CredentialAssertions.jsonWith;
import static io.emailgateway.provider.CredentialAssertions.source;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.emailgateway.config.ConfigException;
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

/** SparkPost signs nothing (REFERENCE.md §8.6: no vectors): basic auth or a bearer token, and the §8.3 mapping. */
class SparkPostProviderTest {
  private static final String BOTH = """
      {"id":"sp","provider":"sparkpost",
       "basic_auth":[{"username":"sparkpost","password":"old-pass"},{"username":"sparkpost","password":"new-pass"}],
       "bearer_tokens":["token-old","token-new"]}""";
  private static final String BODY = "[{\"msys\":{\"message_event\":{\"type\":\"delivery\",\"event_id\":\"1\",\"timestamp\":\"1454442600\"}}}]";

  @Nested
  class Authentication {
    private final SparkPostProvider provider = new SparkPostProvider(source(BOTH));

    @Test
    void theConfiguredBasicCredentialsVerify() {
      assertAccepted(provider.authenticate(authorized(basic("sparkpost", "old-pass"), BODY)));
    }

    @Test
    void theSecondBasicCredentialVerifiesDuringARotation() {
      assertAccepted(provider.authenticate(authorized(basic("sparkpost", "new-pass"), BODY)));
    }

    @Test
    void theOAuthBearerTokenSparkPostFetchedVerifies() {
      assertAccepted(provider.authenticate(authorized("Bearer token-old", BODY)));
      assertAccepted(provider.authenticate(authorized("Bearer token-new", BODY)));
    }

    @Test
    void aWrongPasswordIsRefused() {
      assertUnauthorized(provider.authenticate(authorized(basic("sparkpost", "guess"), BODY)), "matches no configured credential");
    }

    @Test
    void aWrongUsernameIsRefused() {
      assertUnauthorized(provider.authenticate(authorized(basic("other", "old-pass"), BODY)), "matches no configured credential");
    }

    @Test
    void aWrongBearerTokenIsRefused() {
      assertUnauthorized(provider.authenticate(authorized("Bearer token-older", BODY)), "matches no configured credential");
    }

    @Test
    void aPasswordPresentedAsBearerTokenIsRefused() {
      assertUnauthorized(provider.authenticate(authorized("Bearer old-pass", BODY)), "matches no configured credential");
    }

    @Test
    void aMissingAuthorizationHeaderIsRefused() {
      assertUnauthorized(provider.authenticate(jsonWith(Map.of(), BODY)), "missing Authorization header");
    }

    @Test
    void anEmptyAuthorizationHeaderIsRefused() {
      assertUnauthorized(provider.authenticate(authorized(" ", BODY)), "missing Authorization header");
    }

    @Test
    void basicAuthThatIsNotBase64IsRefused() {
      assertUnauthorized(provider.authenticate(authorized("Basic %%%not-base64", BODY)), "matches no configured credential");
    }

    @Test
    void aBearerTokenIsRefusedWhenOnlyBasicAuthIsConfigured() {
      SparkPostProvider basicOnly = new SparkPostProvider(source("""
          {"id":"sp","provider":"sparkpost","basic_auth":[{"username":"sparkpost","password":"old-pass"}]}"""));
      assertAccepted(basicOnly.authenticate(authorized(basic("sparkpost", "old-pass"), BODY)));
      assertUnauthorized(basicOnly.authenticate(authorized("Bearer old-pass", BODY)), "matches no configured credential");
    }

    @Test
    void bearerTokensAloneAreEnough() {
      SparkPostProvider bearerOnly = new SparkPostProvider(source("""
          {"id":"sp","provider":"sparkpost","bearer_tokens":["only-token"]}"""));
      assertAccepted(bearerOnly.authenticate(authorized("Bearer only-token", BODY)));
      assertUnauthorized(bearerOnly.authenticate(authorized(basic("x", "only-token"), BODY)), "matches no configured credential");
    }
  }

  @Nested
  class Configuration {
    @Test
    void aSourceWithoutCredentialsIsDisabled() {
      assertThatThrownBy(() -> new SparkPostProvider(source("{\"id\":\"sp\",\"provider\":\"sparkpost\"}")))
          .isInstanceOf(MissingCredentialsException.class).hasMessageContaining("basic_auth");
    }

    @Test
    void credentialsEmptyAfterSubstitutionCountAsNone() {
      assertThatThrownBy(() -> new SparkPostProvider(source("""
          {"id":"sp","provider":"sparkpost","basic_auth":[{"username":"","password":""}],"bearer_tokens":[""]}""")))
          .isInstanceOf(MissingCredentialsException.class);
    }

    @Test
    void aBasicAuthEntryWithoutPasswordStopsStartUp() {
      assertThatThrownBy(() -> new SparkPostProvider(source("""
          {"id":"sp","provider":"sparkpost","basic_auth":[{"username":"sparkpost"}]}""")))
          .isInstanceOf(ConfigException.class).hasMessageContaining("sources[0].basic_auth[0]");
    }

    @Test
    void trackInitialOpenAsOpenedMustBeABoolean() {
      assertThatThrownBy(() -> new SparkPostProvider(source("""
          {"id":"sp","provider":"sparkpost","bearer_tokens":["t"],"track_initial_open_as_opened":"sometimes"}""")))
          .isInstanceOf(ConfigException.class).hasMessageContaining("track_initial_open_as_opened");
    }

    @Test
    void onlyJsonIsAccepted() {
      SparkPostProvider provider = new SparkPostProvider(source(BOTH));
      assertThat(provider.acceptsContentType("application/json")).isTrue();
      assertThat(provider.acceptsContentType("application/x-www-form-urlencoded")).isFalse();
      assertThat(provider.name()).isEqualTo("sparkpost");
    }

    @Test
    void theRegistryBuildsTheProvider() {
      assertThat(ProviderRegistry.create(source(BOTH), null)).isInstanceOf(SparkPostProvider.class);
    }
  }

  @Nested
  class Mapping {
    private final SparkPostProvider provider = new SparkPostProvider(source(BOTH));
    private final SparkPostProvider initialOpens = new SparkPostProvider(source("""
        {"id":"sp","provider":"sparkpost","bearer_tokens":["t"],"track_initial_open_as_opened":true}"""));

    @ParameterizedTest(name = "{0}/{1} → {2}, with initial opens as opened → {3}")
    @CsvSource({
        "message_event, injection, queued, queued",
        "message_event, delivery, delivered, delivered",
        "message_event, delay, deferred, deferred",
        "message_event, bounce, bounced, bounced",
        "message_event, out_of_band, bounced, bounced",
        "message_event, policy_rejection, rejected, rejected",
        "message_event, spam_complaint, complained, complained",
        "gen_event, generation_failure, failed, failed",
        "gen_event, generation_rejection, rejected, rejected",
        "track_event, open, opened, opened",
        "track_event, amp_open, opened, opened",
        "track_event, initial_open, unknown, opened",
        "track_event, amp_initial_open, unknown, opened",
        "track_event, click, clicked, clicked",
        "track_event, amp_click, clicked, clicked",
        "unsubscribe_event, list_unsubscribe, unsubscribed, unsubscribed",
        "unsubscribe_event, link_unsubscribe, unsubscribed, unsubscribed",
        "relay_event, relay_delivery, unknown, unknown",
        "ab_test_event, ab_test_completed, unknown, unknown"})
    void eachSparkPostEventTypeMapsToItsNormalizedType(String eventClass, String type, String normalized, String withInitialOpens) {
      String body = "[{\"msys\":{\"" + eventClass + "\":{\"type\":\"" + type + "\",\"event_id\":\"9\",\"timestamp\":\"1454442600\"}}}]";
      assertThat(provider.parse(jsonWith(Map.of(), body)).get(0).type().wireName()).isEqualTo(normalized);
      assertThat(initialOpens.parse(jsonWith(Map.of(), body)).get(0).type().wireName()).isEqualTo(withInitialOpens);
    }

    @ParameterizedTest(name = "bounce class {0} → {1}, bounce_type {2}, reject_reason {3}")
    @CsvSource(nullValues = "null", value = {
        "1, bounced, soft, other", "10, bounced, hard, invalid", "20, bounced, soft, bounced",
        "21, bounced, soft, bounced", "22, bounced, soft, bounced", "23, bounced, soft, bounced",
        "24, bounced, soft, timed_out", "25, bounced, hard, blocked", "26, bounced, hard, blocked",
        "30, bounced, hard, bounced", "40, bounced, soft, bounced", "50, bounced, soft, blocked",
        "51, bounced, soft, spam", "52, bounced, soft, spam", "53, bounced, soft, other",
        "54, bounced, soft, blocked", "60, autoresponded, null, other", "70, bounced, soft, bounced",
        "80, subscribed, null, other", "90, unsubscribed, null, unsubscribed", "100, autoresponded, null, other",
        "77, bounced, null, other"})
    void eachBounceClassGivesTypeBounceTypeAndReason(String bounceClass, String type, String bounceType, String reason) {
      EmailEvent event = single("{\"type\":\"bounce\",\"bounce_class\":\"" + bounceClass + "\",\"event_id\":\"9\"}");
      assertThat(event.type().wireName()).isEqualTo(type);
      assertThat(event.bounceType() == null ? null : event.bounceType().wireName()).isEqualTo(bounceType);
      assertThat(event.rejectReason().wireName()).isEqualTo(reason);
    }

    @Test
    void aBounceClassOnADelayKeepsItADeferralWithoutBounceType() {
      EmailEvent event = single("{\"type\":\"delay\",\"bounce_class\":\"60\",\"event_id\":\"9\"}");
      assertThat(event.type().wireName()).isEqualTo("deferred");
      assertThat(event.bounceType()).isNull();
      assertThat(event.rejectReason().wireName()).isEqualTo("other");
    }

    @Test
    void theEventIdIsTheKeyAndTheBatchHeaderDoesNotChangeIt() {
      List<EmailEvent> first = provider.parse(jsonWith(Map.of(SparkPostProvider.BATCH_HEADER, "batch-a"), BODY));
      List<EmailEvent> retried = provider.parse(jsonWith(Map.of(SparkPostProvider.BATCH_HEADER, "batch-b"), BODY));
      assertThat(first.get(0).eventKey()).isEqualTo("1").isEqualTo(retried.get(0).eventKey());
    }

    @Test
    void anEventWithoutEventIdIsKeyedByTheHashOfItsElement() {
      String body = "[{\"msys\":{\"track_event\":{\"type\":\"open\",\"raw_rcpt_to\":\"a@example.com\"}},\"cust\":{\"id\":\"7\"}}]";
      EmailEvent event = provider.parse(jsonWith(Map.of(), body)).get(0);
      JsonObject element = new JsonArray(body).getJsonObject(0);
      assertThat(event.eventKey()).isEqualTo(EventKeys.contentHash(element)).startsWith("sha256:");
    }

    @Test
    void theStoredEspEventIsTheWholeElementUnchanged() {
      String body = "[{\"msys\":{\"message_event\":{\"type\":\"bounce\",\"bounce_class\":\"10\",\"event_id\":\"5\","
          + "\"rcpt_meta\":{\"n\":1},\"timestamp\":\"1454442600\"}},\"cust\":{\"id\":\"00000\"}}]";
      EmailEvent event = provider.parse(jsonWith(Map.of(), body)).get(0);
      assertThat(event.espEvent()).isEqualTo(new JsonArray(body).getJsonObject(0));
      assertThat(event.metadata()).isEqualTo(new JsonObject().put("n", 1));
    }

    private EmailEvent single(String event) {
      return provider.parse(jsonWith(Map.of(), "[{\"msys\":{\"message_event\":" + event + "}}]")).get(0);
    }
  }

  @Nested
  class Batches {
    private final SparkPostProvider provider = new SparkPostProvider(source(BOTH));

    @Test
    void everyEventOfABatchIsProducedInOrderAndPingsAreSkipped() {
      ConformanceCorpus.Case batch = caseNamed("gateway_batch_with_ping_and_header");
      List<EmailEvent> events = provider.parse(batch.request());
      assertThat(events).extracting(EmailEvent::eventKey).containsExactly("2001", "2002", "2003", "2004");
      assertThat(events).allSatisfy(e -> assertThat(e.source()).isEqualTo("sp"));
    }

    @Test
    void aLargeBatchYieldsOneEventPerElement() {
      StringBuilder body = new StringBuilder("[");
      for (int i = 0; i < 1000; i++) {
        body.append(i == 0 ? "" : ",").append("{\"msys\":{\"message_event\":{\"type\":\"delivery\",\"event_id\":\"")
            .append(i).append("\",\"timestamp\":\"1454442600\"}}}");
      }
      List<EmailEvent> events = provider.parse(jsonWith(Map.of(), body.append("]").toString()));
      assertThat(events).hasSize(1000).extracting(EmailEvent::eventKey).doesNotHaveDuplicates();
    }

    @Test
    void anElementThatIsNotAnObjectRefusesTheRequestNamingItAndTheBatch() {
      String body = "[{\"msys\":{}},\"oops\"]";
      assertThatThrownBy(() -> provider.parse(jsonWith(Map.of(SparkPostProvider.BATCH_HEADER, "b-42"), body)))
          .isInstanceOfSatisfying(WebhookException.class, e -> {
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.publicMessage()).contains("[1]").contains("b-42");
          });
    }

    @Test
    void bodiesThatAreNotJsonArraysAreRefused() {
      for (String body : List.of("not json", "{}", "\"text\"", "")) {
        assertThatThrownBy(() -> provider.parse(jsonWith(Map.of(), body)))
            .isInstanceOfSatisfying(WebhookException.class, e -> assertThat(e.status()).isEqualTo(400));
      }
    }

    @Test
    void oddObjectsAreStoredAsUnknownWithTheElementAsEspEvent() {
      ConformanceCorpus.Case malformed = caseNamed("gateway_malformed_elements_stored_as_unknown");
      var request = malformed.request();
      List<EmailEvent> events = provider.parse(request);
      JsonArray elements = new JsonArray(malformed.json().getString("body"));
      for (int i = 0; i < 4; i++) {
        assertThat(events.get(i).espEvent()).isEqualTo(elements.getJsonObject(i));
        assertThat(events.get(i).eventKey()).isEqualTo(EventKeys.contentHash(elements.getJsonObject(i)));
        assertThat(events.get(i).occurredAt()).isEqualTo(request.receivedAt());
      }
      assertThat(events.get(4).occurredAt()).as("unreadable timestamp").isEqualTo(request.receivedAt());
    }

    @ParameterizedTest(name = "timestamp {0} falls back to the arrival time")
    @CsvSource(value = {"'\"not a time\"'", "'\"1e30\"'", "'\"-5\"'", "'\"\"'", "'99999999999999999999'", "'null'", "'{}'"})
    void anUnreadableOrImpossibleTimestampFallsBackToTheArrivalTime(String timestamp) {
      var request = jsonWith(Map.of(), "[{\"msys\":{\"message_event\":{\"type\":\"delivery\",\"event_id\":\"1\",\"timestamp\":"
          + timestamp + "}}}]");
      assertThat(provider.parse(request).get(0).occurredAt()).isEqualTo(request.receivedAt());
    }

    @Test
    void aBatchHeaderThatDoesNotLookLikeAnIdIsNotEchoed() {
      assertThatThrownBy(() -> provider.parse(jsonWith(Map.of(SparkPostProvider.BATCH_HEADER, "<script>"), "[1]")))
          .isInstanceOfSatisfying(WebhookException.class, e -> assertThat(e.publicMessage()).doesNotContain("script"));
    }

    @Test
    void anEmptyBatchYieldsNoEvents() {
      assertThat(provider.parse(jsonWith(Map.of(), "[]"))).isEmpty();
    }
  }

  static ConformanceCorpus.Case caseNamed(String name) {
    return ConformanceCorpus.cases("sparkpost").filter(c -> c.name().equals(name)).findFirst().orElseThrow();
  }
}
