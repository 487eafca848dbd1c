package io.emailgateway.provider;

import static io.emailgateway.provider.CredentialAssertions.assertAccepted;
import static io.emailgateway.provider.CredentialAssertions.assertUnauthorized;
import static io.emailgateway.provider.CredentialAssertions.authorized;
import static io.emailgateway.provider.CredentialAssertions.basic;
import static io.emailgateway.provider.CredentialAssertions.jsonWith;
import static io.emailgateway.provider.CredentialAssertions.source;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.emailgateway.auth.Hmacs;
import io.emailgateway.event.EmailEvent;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Mailtrap: REFERENCE.md §14 left signing "not confirmed"; Mailtrap does sign ({@code
 * Mailtrap-Signature}, hex HMAC-SHA256 of the raw body) and its SDKs share one official vector
 * (vectors/mailtrap_sdk_fixture.body), used here; other cases are signed in the test.
 */
class MailtrapProviderTest {
  private static final String VECTOR_SECRET = "8d9a3c0e7f5b2d4a6c1e9f8b3a7d5c2e";
  private static final String VECTOR_SIGNATURE = "6d262e2611cd09be1f948382b5c611d63b0e585c4c9c5e40139d6ac3876d5433";
  private static final byte[] VECTOR_BODY = TestRequests.resource("vectors/mailtrap_sdk_fixture.body");
  private static final String BATCH = "{\"events\":[{\"event\":\"delivery\",\"timestamp\":1728669700,"
      + "\"message_id\":\"m-1\",\"email\":\"a@example.com\",\"event_id\":\"e-1\"}]}";

  private static MailtrapProvider signed(String... secrets) {
    return new MailtrapProvider(source(new JsonObject().put("id", "mt").put("provider", "mailtrap")
        .put("signing_secrets", List.of(secrets)).encode()));
  }

  private static String sign(String secret, byte[] body) {
    return HexFormat.of().formatHex(Hmacs.hmac("HmacSHA256", secret.getBytes(StandardCharsets.UTF_8), body));
  }

  private static WebhookRequest request(byte[] body, Map<String, String> headers) {
    return TestRequests.json(headers, body);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  @Nested
  class Signature {
    private final MailtrapProvider provider = signed(VECTOR_SECRET);

    @Test
    void theOfficialCrossSdkVectorVerifies() {
      assertAccepted(provider.authenticate(request(VECTOR_BODY, Map.of("Mailtrap-Signature", VECTOR_SIGNATURE))));
    }

    @Test
    void aTamperedBodyIsRefused() {
      byte[] tampered = new String(VECTOR_BODY, StandardCharsets.UTF_8).replace("delivery", "Delivery").getBytes(StandardCharsets.UTF_8);
      assertUnauthorized(provider.authenticate(request(tampered, Map.of("Mailtrap-Signature", VECTOR_SIGNATURE))), "does not match");
    }

    @Test
    void theSameJsonWithOtherWhitespaceIsRefusedBecauseTheRawBytesAreSigned() {
      byte[] reformatted = new JsonObject(new String(VECTOR_BODY, StandardCharsets.UTF_8)).encodePrettily().getBytes(StandardCharsets.UTF_8);
      assertUnauthorized(provider.authenticate(request(reformatted, Map.of("Mailtrap-Signature", VECTOR_SIGNATURE))), "does not match");
    }

    @Test
    void aWrongSecretIsRefused() {
      assertUnauthorized(signed("ffffffffffffffffffffffffffffffff")
          .authenticate(request(VECTOR_BODY, Map.of("Mailtrap-Signature", VECTOR_SIGNATURE))), "does not match");
    }

    @Test
    void theSecondSecretVerifiesDuringARotation() {
      assertAccepted(signed("retired-secret", VECTOR_SECRET)
          .authenticate(request(VECTOR_BODY, Map.of("Mailtrap-Signature", VECTOR_SIGNATURE))));
    }

    @Test
    void aMissingOrEmptySignatureIsRefused() {
      assertUnauthorized(provider.authenticate(request(VECTOR_BODY, Map.of())), "missing Mailtrap-Signature");
      assertUnauthorized(provider.authenticate(request(VECTOR_BODY, Map.of("Mailtrap-Signature", ""))), "missing Mailtrap-Signature");
    }

    @ParameterizedTest(name = "\"{0}\" is refused")
    @CsvSource({
        "6d262e2611cd09be1f948382b5c611d",
        "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz",
        "6d262e2611cd09be1f948382b5c611d63b0e585c4c9c5e40139d6ac3876d543300",
        "sha256=6d262e2611cd09be1f948382b5c611d63b0e585c4c9c5e40139d6ac3876d"})
    void aSignatureThatIsNotSixtyFourHexDigitsIsRefused(String header) {
      assertUnauthorized(provider.authenticate(request(VECTOR_BODY, Map.of("Mailtrap-Signature", header))), "not 64 hex digits");
    }

    @Test
    void anUpperCaseHexSignatureStillVerifies() {
      assertAccepted(provider.authenticate(request(VECTOR_BODY,
          Map.of("Mailtrap-Signature", VECTOR_SIGNATURE.toUpperCase(Locale.ROOT)))));
    }

    @Test
    void anEmptyBodyIsRefusedUnderTheVectorSignature() {
      assertUnauthorized(provider.authenticate(request(new byte[0], Map.of("Mailtrap-Signature", VECTOR_SIGNATURE))), "does not match");
    }

    @Test
    void aDeliverySignedInTheTestVerifies() {
      MailtrapProvider own = signed("whsec-like-but-plain");
      assertAccepted(own.authenticate(request(bytes(BATCH), Map.of("Mailtrap-Signature", sign("whsec-like-but-plain", bytes(BATCH))))));
    }
  }

  @Nested
  class BasicAuthAndBoth {
    private static final String BASIC = """
        {"id":"mt","provider":"mailtrap",
         "basic_auth":[{"username":"mailtrap","password":"old-pass"},{"username":"mailtrap","password":"new-pass"}]}""";

    @Test
    void basicAuthAloneVerifiesWithRotation() {
      MailtrapProvider provider = new MailtrapProvider(source(BASIC));
      assertAccepted(provider.authenticate(authorized(basic("mailtrap", "old-pass"), BATCH)));
      assertAccepted(provider.authenticate(authorized(basic("mailtrap", "new-pass"), BATCH)));
      assertUnauthorized(provider.authenticate(authorized(basic("mailtrap", "guess"), BATCH)), "matches no configured credential");
      assertUnauthorized(provider.authenticate(jsonWith(Map.of(), BATCH)), "missing Authorization header");
    }

    @Test
    void withBothConfiguredBothMustPass() {
      MailtrapProvider provider = new MailtrapProvider(source(new JsonObject(BASIC).put("signing_secrets", List.of("s3cret")).encode()));
      Map<String, String> both = new HashMap<>();
      both.put("Authorization", basic("mailtrap", "old-pass"));
      both.put("Mailtrap-Signature", sign("s3cret", bytes(BATCH)));
      assertAccepted(provider.authenticate(jsonWith(both, BATCH)));
      assertUnauthorized(provider.authenticate(jsonWith(Map.of("Authorization", basic("mailtrap", "old-pass")), BATCH)),
          "missing Mailtrap-Signature");
      assertUnauthorized(provider.authenticate(jsonWith(Map.of("Mailtrap-Signature", sign("s3cret", bytes(BATCH))), BATCH)),
          "missing Authorization header");
    }

    @Test
    void aSourceWithNeitherIsDisabled() {
      assertThatThrownBy(() -> new MailtrapProvider(source("{\"id\":\"mt\",\"provider\":\"mailtrap\",\"signing_secrets\":[\"\"]}")))
          .isInstanceOf(MissingCredentialsException.class).hasMessageContaining("signing_secrets");
    }

    @Test
    void theRegistryBuildsTheProviderForBothPayloadFormats() {
      WebhookProvider built = ProviderRegistry.create(source(BASIC), null);
      assertThat(built).isInstanceOf(MailtrapProvider.class);
      assertThat(built.acceptsContentType("application/json")).isTrue();
      assertThat(built.acceptsContentType("application/jsonl")).isTrue();
      assertThat(built.acceptsContentType("text/plain")).isFalse();
    }
  }

  @Nested
  class Mapping {
    private final MailtrapProvider provider = signed("s");

    @ParameterizedTest(name = "{0} → {1}, reject_reason {2}, bounce_type {3}")
    @CsvSource(nullValues = "null", value = {
        "delivery, delivered, null, null",
        "open, opened, null, null",
        "click, clicked, null, null",
        "bounce, bounced, bounced, hard",
        "soft bounce, deferred, other, null",
        "spam, complained, spam, null",
        "unsubscribe, unsubscribed, unsubscribed, null",
        "reject, rejected, blocked, null",
        "suspension, deferred, other, null",
        "inbound.message_received, unknown, null, null"})
    void eachMailtrapEventMapsAsDocumented(String espType, String type, String reason, String bounceType) {
      EmailEvent event = provider.parse(jsonWith(Map.of(), new JsonObject().put("events", List.of(new JsonObject()
          .put("event", espType).put("timestamp", 1728669700).put("event_id", "e").put("email", "a@example.com"))).encode())).get(0);
      assertThat(event.type().wireName()).isEqualTo(type);
      assertThat(event.rejectReason() == null ? null : event.rejectReason().wireName()).isEqualTo(reason);
      assertThat(event.bounceType() == null ? null : event.bounceType().wireName()).isEqualTo(bounceType);
      assertThat(event.eventKey()).isEqualTo("e");
    }

    @Test
    void theStoredEspEventIsTheSingleEventUnchanged() {
      EmailEvent event = provider.parse(jsonWith(Map.of(), BATCH)).get(0);
      assertThat(event.espEvent()).isEqualTo(new JsonObject(BATCH).getJsonArray("events").getJsonObject(0));
    }

    @Test
    void anEventWithoutEventIdOrTimeIsStillStored() {
      WebhookRequest request = jsonWith(Map.of(), "{\"events\":[{\"event\":\"open\",\"email\":\"a@example.com\"}]}");
      EmailEvent event = provider.parse(request).get(0);
      assertThat(event.eventKey()).startsWith("sha256:");
      assertThat(event.occurredAt()).isEqualTo(request.receivedAt());
    }
  }

  @Nested
  class Batches {
    private final MailtrapProvider provider = signed("s");

    @Test
    void everyEventOfAFiveHundredEventBatchIsProduced() {
      StringBuilder json = new StringBuilder("{\"events\":[");
      StringBuilder lines = new StringBuilder();
      for (int i = 0; i < 500; i++) {
        String event = "{\"event\":\"delivery\",\"timestamp\":1728669700,\"email\":\"r" + i + "@example.com\",\"event_id\":\"e" + i + "\"}";
        json.append(i == 0 ? "" : ",").append(event);
        lines.append(event).append('\n');
      }
      List<EmailEvent> fromJson = provider.parse(jsonWith(Map.of(), json.append("]}").toString()));
      List<EmailEvent> fromLines = provider.parse(TestRequests.request("application/jsonl", Map.of(), bytes(lines.toString())));
      assertThat(fromJson).hasSize(500).extracting(EmailEvent::eventKey).doesNotHaveDuplicates();
      assertThat(fromLines).extracting(EmailEvent::eventKey).containsExactlyElementsOf(fromJson.stream().map(EmailEvent::eventKey).toList());
    }

    @Test
    void jsonLinesToleratesCrlfAndBlankLines() {
      String body = "{\"event\":\"open\",\"event_id\":\"a\",\"timestamp\":1728669700}\r\n\r\n{\"event\":\"click\",\"event_id\":\"b\",\"timestamp\":1728669700}";
      assertThat(provider.parse(TestRequests.request("application/jsonl", Map.of(), bytes(body))))
          .extracting(EmailEvent::eventKey).containsExactly("a", "b");
    }

    @Test
    void aJsonLinesLineThatIsNotAnObjectIsRefusedNamingTheLine() {
      String body = "{\"event\":\"open\",\"event_id\":\"a\"}\n[1,2]\n";
      assertThatThrownBy(() -> provider.parse(TestRequests.request("application/jsonl", Map.of(), bytes(body))))
          .isInstanceOfSatisfying(WebhookException.class, e -> {
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.publicMessage()).contains("line 2");
          });
    }

    @Test
    void aJsonBodyWithoutEventsIsRefused() {
      for (String body : List.of("{}", "[]", "{\"events\":null}", "nonsense")) {
        assertThatThrownBy(() -> provider.parse(jsonWith(Map.of(), body))).as(body)
            .isInstanceOfSatisfying(WebhookException.class, e -> assertThat(e.status()).isEqualTo(400));
      }
    }

    @Test
    void anEmptyEventsArrayYieldsNoEvents() {
      assertThat(provider.parse(jsonWith(Map.of(), "{\"events\":[]}"))).isEmpty();
    }
  }
}
