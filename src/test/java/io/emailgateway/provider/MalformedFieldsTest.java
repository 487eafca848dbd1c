package io.emailgateway.provider;

import static org.assertj.core.api.Assertions.assertThat;

import io.emailgateway.event.EmailEvent;
import io.emailgateway.testing.ReliabilityReport;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Wrong types in every field: every value of the corpus fixtures of every provider (the fields
 * inside Mandrill's form field and the SES record inside the SNS envelope included) is replaced,
 * one at a time, by each of {@link HostileValues}, and the body parsed. The default build takes
 * the first four fixtures of each provider; {@code -Pfaults} takes all of them. The parser must answer
 * within a second with events PostgreSQL will store, or refuse with a 4xx — never another
 * exception (a 500), never a hang, never an event whose insert would fail its group commit.
 */
class MalformedFieldsTest {
  private static final long PARSE_LIMIT_MS = 1000;
  private static final AtomicLong TRIED = new AtomicLong();
  private static final ExecutorService PARSER = Executors.newCachedThreadPool(runnable -> {
    Thread thread = new Thread(runnable, "malformed-fields-parser");
    thread.setDaemon(true);
    return thread;
  });

  @AfterAll
  static void report() {
    ReliabilityReport.record(new ReliabilityReport.Row("parsers: every field of every fixture, wrong type (unit)",
        0, 0, 0, 0, 0, 0, TRIED.get(), 0, 0));
  }

  @TestFactory
  Stream<DynamicTest> everyFieldOfEveryFixtureSurvivesEveryHostileValue() {
    return ProviderRegistry.names().stream().map(provider -> DynamicTest.dynamicTest(provider, () -> check(provider)));
  }

  private static void check(String provider) throws Exception {
    WebhookProvider parser = CorpusProviders.parser(provider);
    List<String> failures = new ArrayList<>();
    List<FixtureTrees.Tree> trees = ConformanceCorpus.cases(provider).map(c -> FixtureTrees.of(provider, c))
        .filter(t -> t != null).limit(Integer.getInteger("reliability.fixturesPerProvider", 4)).toList();
    assertThat(trees).as("fixtures of " + provider).isNotEmpty();
    for (FixtureTrees.Tree tree : trees) {
      for (List<Object> path : tree.paths()) {
        for (Map.Entry<String, Object> value : HostileValues.all().entrySet()) {
          String what = tree.fixture().name() + " " + path + " = " + value.getKey();
          String failure = parseOnce(parser, tree.request(tree.replaced(path, value.getValue())), what);
          if (failure != null && failures.size() < 20) {
            failures.add(failure);
          }
        }
      }
    }
    assertThat(failures).as(provider + ": hostile field values that escaped as something other than a 4xx").isEmpty();
  }

  /** Null when the parser answered well; otherwise what went wrong. */
  private static String parseOnce(WebhookProvider parser, WebhookRequest request, String what) throws Exception {
    TRIED.incrementAndGet();
    Future<List<EmailEvent>> parsed = PARSER.submit(() -> parser.parse(request));
    try {
      for (EmailEvent event : parsed.get(PARSE_LIMIT_MS, TimeUnit.MILLISECONDS)) {
        StorableEvents.assertStorable(event, what);
      }
      return null;
    } catch (TimeoutException e) {
      parsed.cancel(true);
      return what + ": still parsing after " + PARSE_LIMIT_MS + " ms";
    } catch (java.util.concurrent.ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof WebhookException refusal && refusal.status() >= 400 && refusal.status() < 500) {
        return null;
      }
      return what + ": " + cause;
    } catch (AssertionError e) {
      return e.getMessage().replace('\n', ' ');
    }
  }
}
