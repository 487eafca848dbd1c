package io.emailgateway.handler.forward;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class WebhookSignerTest {
  /** The Standard Webhooks specification's published test vector. */
  private static final byte[] SPEC_KEY = Base64.getDecoder().decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");

  @Test
  void reproducesTheStandardWebhooksSpecificationTestVector() {
    byte[] body = "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8);

    String signature = WebhookSigner.signature(List.of(SPEC_KEY), "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330L, body);

    assertThat(signature).isEqualTo("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
  }

  @Test
  void everySecretSignsSoAReceiverCanRotateItsSecret() {
    byte[] other = new byte[32];
    byte[] body = "{}".getBytes(StandardCharsets.UTF_8);

    String signature = WebhookSigner.signature(List.of(SPEC_KEY, other), "42", 1700000000L, body);

    String[] parts = signature.split(" ");
    assertThat(parts).hasSize(2);
    assertThat(parts[0]).isEqualTo(WebhookSigner.signature(List.of(SPEC_KEY), "42", 1700000000L, body));
    assertThat(parts[1]).isEqualTo(WebhookSigner.signature(List.of(other), "42", 1700000000L, body)).isNotEqualTo(parts[0]);
  }

  @Test
  void theSignatureCoversIdTimestampAndEveryBodyByte() {
    byte[] body = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);
    String reference = WebhookSigner.signature(List.of(SPEC_KEY), "7", 1700000000L, body);

    assertThat(WebhookSigner.signature(List.of(SPEC_KEY), "8", 1700000000L, body)).isNotEqualTo(reference);
    assertThat(WebhookSigner.signature(List.of(SPEC_KEY), "7", 1700000001L, body)).isNotEqualTo(reference);
    assertThat(WebhookSigner.signature(List.of(SPEC_KEY), "7", 1700000000L, "{\"a\":2}".getBytes(StandardCharsets.UTF_8)))
        .isNotEqualTo(reference);
  }
}
