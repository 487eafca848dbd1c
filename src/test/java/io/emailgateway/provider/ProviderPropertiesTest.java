package io.emailgateway.provider;

import static org.assertj.core.api.Assertions.assertThat;

import io.emailgateway.event.EmailEvent;
import io.emailgateway.testing.ReliabilityReport;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Properties of every provider's {@code authenticate} and {@code parse}, each checked on all 14:
 * arbitrary bytes (with no, forged or garbled credentials) are answered with a 4xx or with events
 * PostgreSQL will store — never another exception, which would be a 500; any JSON value in any
 * field of a real request likewise; a request signed as the ESP signs it, with any single byte
 * of what the scheme covers changed, is refused. Requests are signed by {@link EspSigners}, which
 * is written from the ESPs' documentation, not from the providers' code. Tries per property: the
 * jqwik default (1000), raised by {@code -Pfaults}.
 */
class ProviderPropertiesTest {
  private static final AtomicLong TRIED = new AtomicLong();
  private static Vertx vertx;
  private static EspSigners signers;
  private static final Map<String, WebhookProvider> PROVIDERS = new LinkedHashMap<>();
  /** Per provider: corpus requests re-signed with fresh credentials that the provider accepts. */
  private static final Map<String, List<SignedFixture>> SEEDS = new LinkedHashMap<>();

  private record SignedFixture(ConformanceCorpus.Case fixture, EspSigners.Signed signed) {}

  @BeforeContainer
  static void signCorpus() throws Exception {
    vertx = Vertx.vertx();
    Path dir = Files.createTempDirectory("provider-properties");
    signers = EspSigners.create(vertx, dir);
    for (EspSigners.Signer signer : signers.all()) {
      WebhookProvider provider = signer.provider(vertx);
      PROVIDERS.put(signer.provider(), provider);
      List<SignedFixture> seeds = new ArrayList<>();
      ConformanceCorpus.cases(signer.provider()).forEach(c -> {
        EspSigners.Signed signed = signer.sign(c.contentType(), c.headers(), c.body());
        if (authenticate(provider, signed.request()) == null) {
          seeds.add(new SignedFixture(c, signed));
        }
      });
      assertThat(seeds).as("signed corpus requests that " + signer.provider() + " accepts").isNotEmpty();
      SEEDS.put(signer.provider(), seeds);
    }
  }

  @AfterContainer
  static void close() throws Exception {
    ReliabilityReport.record(new ReliabilityReport.Row("parsers and verifiers: jqwik properties (unit)",
        0, 0, 0, 0, 0, 0, TRIED.get(), 0, 0));
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Provide
  Arbitrary<String> providers() {
    return Arbitraries.of(List.copyOf(ProviderRegistry.names()));
  }

  @Provide
  Arbitrary<byte[]> bodies() {
    return Arbitraries.oneOf(
        Arbitraries.bytes().array(byte[].class).ofMaxSize(2048),
        Arbitraries.strings().ofMaxLength(512).map(s -> s.getBytes(java.nio.charset.StandardCharsets.UTF_8)),
        Arbitraries.strings().withChars("{}[]\":,0123456789.eE-+truefalsn \\u").ofMaxLength(256)
            .map(s -> s.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
  }

  @Property
  void arbitraryBytesWithAnyCredentialsAreAnsweredWithA4xxOrStorableEvents(@ForAll("providers") String name,
      @ForAll("bodies") byte[] body, @ForAll("credentialModes") String credentials) {
    TRIED.incrementAndGet();
    EspSigners.Signer signer = signers.of(name);
    EspSigners.Signed genuine = signer.sign(body);
    Map<String, String> headers = switch (credentials) {
      case "none" -> Map.of();
      case "signed" -> genuine.headers();
      default -> garbled(genuine.headers(), body.length);
    };
    WebhookRequest request = TestRequests.request(signer.contentType(), headers, body);
    WebhookException refusal = authenticate(PROVIDERS.get(name), request);
    assertThat(refusal == null || isClientError(refusal)).as("authenticate: %s", refusal).isTrue();
    assertParsesOrRefuses(PROVIDERS.get(name), request, name);
  }

  @Provide
  Arbitrary<String> credentialModes() {
    return Arbitraries.of("none", "signed", "garbled");
  }

  @Property
  void anyJsonValueInAnyFieldOfASignedRequestIsAnsweredWithA4xxOrStorableEvents(@ForAll("providers") String name,
      @ForAll @DoubleRange(min = 0, max = 1, maxIncluded = false) double fixtureAt,
      @ForAll @DoubleRange(min = 0, max = 1, maxIncluded = false) double pathAt, @ForAll("jsonValues") Object value) {
    TRIED.incrementAndGet();
    List<FixtureTrees.Tree> trees = ConformanceCorpus.cases(name).map(c -> FixtureTrees.of(name, c)).filter(t -> t != null).toList();
    FixtureTrees.Tree tree = trees.get((int) (fixtureAt * trees.size()));
    List<List<Object>> paths = tree.paths();
    WebhookRequest unsigned = tree.request(tree.replaced(paths.get((int) (pathAt * paths.size())), value));
    EspSigners.Signed signed = signers.of(name).sign(tree.fixture().contentType(), tree.fixture().headers(), unsigned.bodyBytes());
    WebhookException refusal = authenticate(PROVIDERS.get(name), signed.request());
    assertThat(refusal == null || isClientError(refusal)).as("authenticate: %s", refusal).isTrue();
    assertParsesOrRefuses(PROVIDERS.get(name), signed.request(), name);
  }

  @Provide
  Arbitrary<Object> jsonValues() {
    Arbitrary<Object> leaves = Arbitraries.oneOf(
        Arbitraries.just(null), Arbitraries.of(true, false), Arbitraries.integers().map(i -> (Object) i),
        Arbitraries.longs().map(l -> (Object) l), Arbitraries.doubles().map(d -> (Object) d),
        Arbitraries.bigIntegers().between(java.math.BigInteger.TEN.pow(30).negate(), java.math.BigInteger.TEN.pow(30))
            .map(b -> (Object) b),
        Arbitraries.strings().ofMaxLength(64).map(s -> (Object) s),
        Arbitraries.strings().numeric().ofMaxLength(40).map(s -> (Object) s),
        Arbitraries.of(HostileValues.all().values().stream().filter(v -> !HostileValues.DEEP_MARKER.equals(v)).toList()));
    return Arbitraries.recursive(() -> leaves, inner -> Arbitraries.oneOf(
        inner.list().ofMaxSize(4).map(list -> (Object) new JsonArray(new ArrayList<>(list))),
        Arbitraries.maps(Arbitraries.strings().alpha().ofMaxLength(12), inner).ofMaxSize(4)
            .map(map -> (Object) new JsonObject(new LinkedHashMap<>(map)))), 0, 4);
  }

  @Provide
  Arbitrary<String> bodySigned() {
    // Postmark, SparkPost, Mailjet and Brevo sign nothing (basic auth over TLS): see the credential property.
    return Arbitraries.of("sendgrid", "mailgun", "ses", "mandrill", "resend", "mailersend", "postal", "mailtrap",
        "unisender_go", "standard");
  }

  @Property
  void aSignedRequestWithAnyByteOfItsBodyChangedIsRefusedOrMeansTheSame(@ForAll("bodySigned") String name,
      @ForAll @DoubleRange(min = 0, max = 1, maxIncluded = false) double seedAt,
      @ForAll @DoubleRange(min = 0, max = 1, maxIncluded = false) double byteAt, @ForAll byte replacement) {
    TRIED.incrementAndGet();
    List<SignedFixture> seeds = SEEDS.get(name);
    EspSigners.Signed original = seeds.get((int) (seedAt * seeds.size())).signed();
    byte[] body = original.body().clone();
    int position = (int) (byteAt * body.length);
    Assume.that(body.length > 0 && body[position] != replacement);
    body[position] = replacement;
    EspSigners.Signed changed = new EspSigners.Signed(original.contentType(), original.headers(), body, original.secrets());

    WebhookException refusal = authenticate(PROVIDERS.get(name), changed.request());
    assertThat(refusal == null || isClientError(refusal)).as("authenticate: %s", refusal).isTrue();
    if (refusal == null) {
      assertThat(SignedMeaning.same(name, original, changed))
          .as("%s accepted a request whose signed content changed at byte %d", name, position).isTrue();
    }
  }

  @Property
  void aSignedRequestWithAnyByteOfItsSignatureOrCredentialChangedIsRefused(@ForAll("providers") String name,
      @ForAll @DoubleRange(min = 0, max = 1, maxIncluded = false) double seedAt,
      @ForAll @DoubleRange(min = 0, max = 1, maxIncluded = false) double partAt,
      @ForAll @DoubleRange(min = 0, max = 1, maxIncluded = false) double byteAt, @ForAll byte replacement) {
    TRIED.incrementAndGet();
    List<SignedFixture> seeds = SEEDS.get(name);
    EspSigners.Signed original = seeds.get((int) (seedAt * seeds.size())).signed();
    EspSigners.Signed changed = CredentialMutations.change(name, original, partAt, byteAt, replacement);
    Assume.that(changed != null);

    WebhookException refusal = authenticate(PROVIDERS.get(name), changed.request());
    assertThat(refusal).as("%s accepted a request with a changed signature or credential", name).isNotNull();
    assertThat(isClientError(refusal)).as("refused with %s", refusal.status()).isTrue();
  }

  /** Null when accepted; the refusal otherwise. Any other outcome fails the property. */
  static WebhookException authenticate(WebhookProvider provider, WebhookRequest request) {
    Promise<Void> result = Promise.promise();
    vertx.getOrCreateContext().runOnContext(v -> {
      try {
        provider.authenticate(request).onComplete(result);
      } catch (RuntimeException e) {
        result.fail(e);
      }
    });
    try {
      result.future().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      return null;
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof WebhookException refusal) {
        return refusal;
      }
      throw new AssertionError("authenticate failed with " + e.getCause(), e.getCause());
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("authenticate did not answer within 10 s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static void assertParsesOrRefuses(WebhookProvider provider, WebhookRequest request, String name) {
    List<EmailEvent> events;
    try {
      events = provider.parse(request);
    } catch (WebhookException refusal) {
      assertThat(isClientError(refusal)).as("parse refused with %s", refusal.status()).isTrue();
      return;
    }
    events.forEach(event -> StorableEvents.assertStorable(event, name));
  }

  private static boolean isClientError(WebhookException refusal) {
    return refusal.status() == 400 || refusal.status() == 401 || refusal.status() == 413 || refusal.status() == 415;
  }

  private static Map<String, String> garbled(Map<String, String> headers, int seed) {
    Map<String, String> garbled = new LinkedHashMap<>();
    headers.forEach((name, value) -> garbled.put(name, HostileValues.randomText(Math.max(1, value.length()), seed + name.hashCode())));
    return garbled;
  }
}
