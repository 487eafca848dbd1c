package io.emailgateway.provider;

import io.emailgateway.config.SourceConfig;
import java.time.Clock;

/**
 * What every sender signing with Standard Webhooks (Svix) shares: JSON bodies, the
 * {@link StandardWebhooksVerifier} over {@code id.timestamp.body} with the source's
 * {@code signing_secrets}, and the signed message id as the replay nonce. Subclasses map events.
 */
abstract class StandardWebhooksProvider implements SynchronousProvider {
  protected final String sourceId;
  private final StandardWebhooksVerifier verifier;

  protected StandardWebhooksProvider(SourceConfig source, Clock clock) {
    this.sourceId = source.id();
    this.verifier = StandardWebhooksVerifier.fromConfig(source.settings(), clock);
  }

  @Override
  public boolean acceptsContentType(String mediaType) {
    return "application/json".equals(mediaType);
  }

  @Override
  public void verify(WebhookRequest request) {
    verifier.verify(request);
  }

  /** The message id the sender signs and keeps on every retry of the same message. */
  @Override
  public String replayNonce(WebhookRequest request) {
    return StandardWebhooksVerifier.messageId(request);
  }
}
