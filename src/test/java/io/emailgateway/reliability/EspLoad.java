package io.emailgateway.reliability;

import io.emailgateway.testing.SendGridFixtures;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An ESP (SendGrid) under test conditions: posts signed batches of 1 to 20 new events, each event
 * id unique, and keeps the books an ESP keeps — a delivery answered 200 is done; anything else
 * (no answer, a reset, a 503) is queued and sent again later, the same events in the same body,
 * signed afresh as SendGrid signs every attempt. The suites then compare these books with the
 * {@code events} table.
 */
final class EspLoad {
  /** One webhook delivery: the same body on every attempt. */
  record Delivery(int id, List<String> eventIds, byte[] body) {}

  private final SendGridFixtures sendgrid;
  private final String source;
  private final String path;
  private final List<String> types;
  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(2)).build();
  private final AtomicInteger nextId = new AtomicInteger();
  private final List<Delivery> all = Collections.synchronizedList(new ArrayList<>());
  private final Set<Integer> acked = ConcurrentHashMap.newKeySet();
  private final ConcurrentLinkedQueue<Delivery> pending = new ConcurrentLinkedQueue<>();
  private final Map<Integer, AtomicLong> statuses = new ConcurrentHashMap<>();
  final AtomicLong requests = new AtomicLong();
  final AtomicLong oks = new AtomicLong();
  final AtomicLong noAnswer = new AtomicLong();
  final AtomicLong duplicatesReported = new AtomicLong();
  final AtomicLong missingRetryAfter = new AtomicLong();
  /** The longest a request waited for its answer (or for giving up on one), in nanoseconds. */
  final AtomicLong slowestAnswerNanos = new AtomicLong();

  /** New deliveries hold bounces and deliveries: every third event of a batch a bounce. */
  EspLoad(SendGridFixtures sendgrid, String sourceId) {
    this(sendgrid, sourceId, List.of("bounce", "delivered", "delivered"));
  }

  /** New deliveries cycle through these SendGrid event types, event {@code i} of a batch going to {@code r<i>@example.com}. */
  EspLoad(SendGridFixtures sendgrid, String sourceId, List<String> types) {
    this.sendgrid = sendgrid;
    this.source = sourceId;
    this.path = "/webhooks/" + sourceId;
    this.types = List.copyOf(types);
  }

  String source() {
    return source;
  }

  Delivery newDelivery() {
    int size = ThreadLocalRandom.current().nextInt(1, 21);
    List<String> ids = new ArrayList<>(size);
    List<String> events = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      String id = SendGridFixtures.eventId();
      ids.add(id);
      events.add(SendGridFixtures.event(id, types.get(i % types.size()), "r" + i + "@example.com"));
    }
    return delivery(ids, events);
  }

  /** A delivery of events the suite wrote itself ({@code events} as SendGrid JSON objects, {@code eventIds} their sg_event_ids), booked like any other. */
  Delivery delivery(List<String> eventIds, List<String> events) {
    Delivery delivery = new Delivery(nextId.incrementAndGet(), List.copyOf(eventIds), SendGridFixtures.batch(events));
    all.add(delivery);
    return delivery;
  }

  /**
   * Sends once and books the outcome: the status, or -1 when no answer came (connection refused
   * or reset, timeout). Anything but 200 puts the delivery back in the retry queue.
   */
  int send(int port, Delivery delivery) {
    requests.incrementAndGet();
    int status;
    long started = System.nanoTime();
    try {
      HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
          .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofByteArray(delivery.body()));
      sendgrid.signedHeaders(delivery.body()).forEach(request::header);
      HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
      status = response.statusCode();
      if (status == 200) {
        duplicatesReported.addAndGet(new JsonObject(response.body()).getInteger("duplicates"));
      } else if (status == 503 && response.headers().firstValue("Retry-After").isEmpty()) {
        missingRetryAfter.incrementAndGet();
      }
    } catch (IOException e) {
      status = -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      status = -1;
    }
    slowestAnswerNanos.accumulateAndGet(System.nanoTime() - started, Math::max);
    book(delivery, status);
    return status;
  }

  /**
   * Sends once over a fresh connection ({@link RawHttp}) and books the outcome, telling a refused
   * connection ({@link RawHttp#REFUSED}) from a request dropped without answer ({@link RawHttp#NO_ANSWER}).
   */
  int sendRaw(int port, Delivery delivery) {
    requests.incrementAndGet();
    RawHttp.Response response = RawHttp.exchange(port,
        RawHttp.post(path, sendgrid.signedHeaders(delivery.body()), delivery.body()), Duration.ofSeconds(30));
    if (response.status() == 200) {
      duplicatesReported.addAndGet(new JsonObject(response.body()).getInteger("duplicates"));
    } else if (response.status() == 503 && !response.headers().containsKey("retry-after")) {
      missingRetryAfter.incrementAndGet();
    }
    book(delivery, response.status());
    return response.status();
  }

  /**
   * Sends {@code delivery} on a new connection but holds back the second half of its body for
   * {@code hold}: the request is in flight, its body still arriving, for that long. Booked like any
   * other delivery.
   */
  int sendHeld(int port, Delivery delivery, Duration hold) {
    requests.incrementAndGet();
    byte[] request = RawHttp.post(path, sendgrid.signedHeaders(delivery.body()), delivery.body());
    int status;
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
      socket.setSoTimeout(30_000);
      java.io.OutputStream out = socket.getOutputStream();
      int half = request.length - delivery.body().length / 2;
      out.write(request, 0, half);
      out.flush();
      GatewayProcess.sleep(hold.toMillis());
      out.write(request, half, request.length - half);
      out.flush();
      status = RawHttp.read(socket.getInputStream()).status();
    } catch (java.io.IOException e) {
      status = RawHttp.NO_ANSWER;
    }
    book(delivery, status);
    return status;
  }

  private void book(Delivery delivery, int status) {
    statuses.computeIfAbsent(status, s -> new AtomicLong()).incrementAndGet();
    if (status == 200) {
      oks.incrementAndGet();
      acked.add(delivery.id());
    } else {
      if (status < 0) {
        noAnswer.incrementAndGet();
      }
      pending.add(delivery);
    }
  }

  /** {@code threads} senders until {@code stop} is set: retries first, as an ESP drains its queue, then new deliveries. */
  List<Thread> start(int port, int threads, AtomicBoolean stop) {
    return start(port, threads, stop, 0);
  }

  /** As {@link #start(int, int, AtomicBoolean)}, each sender pausing {@code pauseMillis} after each 200: a steady ESP rather than a flood. */
  List<Thread> start(int port, int threads, AtomicBoolean stop, long pauseMillis) {
    List<Thread> senders = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      Thread sender = new Thread(() -> {
        while (!stop.get()) {
          Delivery retry = pending.poll();
          if (send(port, retry != null ? retry : newDelivery()) != 200) {
            // Far shorter than the Retry-After an ESP honours, to keep the pressure on during a fault.
            GatewayProcess.sleep(50);
          } else if (pauseMillis > 0) {
            GatewayProcess.sleep(pauseMillis);
          }
        }
      }, "esp-load-" + i);
      sender.setDaemon(true);
      sender.start();
      senders.add(sender);
    }
    return senders;
  }

  static void stop(AtomicBoolean stop, List<Thread> senders) {
    stop.set(true);
    for (Thread sender : senders) {
      try {
        sender.join(60_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Sends every queued delivery again until each got its 200, or {@code limit} passes; the number still queued. */
  int resendPending(int port, Duration limit) {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!pending.isEmpty() && System.nanoTime() < deadline) {
      Delivery retry = pending.poll();
      if (retry != null && send(port, retry) != 200) {
        GatewayProcess.sleep(200);
      }
    }
    return pending.size();
  }

  List<Delivery> all() {
    synchronized (all) {
      return List.copyOf(all);
    }
  }

  List<Delivery> acked() {
    return all().stream().filter(d -> acked.contains(d.id())).toList();
  }

  List<Delivery> unacked() {
    return all().stream().filter(d -> !acked.contains(d.id())).toList();
  }

  long status(int status) {
    AtomicLong count = statuses.get(status);
    return count == null ? 0 : count.get();
  }

  long fiveXx() {
    return statuses.entrySet().stream().filter(e -> e.getKey() >= 500).mapToLong(e -> e.getValue().get()).sum();
  }

  /** Statuses other than 200, 503 and no answer: none is expected of a fault. */
  Map<Integer, Long> unexpectedStatuses() {
    Map<Integer, Long> unexpected = new java.util.TreeMap<>();
    statuses.forEach((status, count) -> {
      if (status != 200 && status != 503 && status >= 0) {
        unexpected.put(status, count.get());
      }
    });
    return unexpected;
  }

  String summary() {
    return "requests " + requests + ", 200: " + oks + ", no answer: " + noAnswer + ", statuses " + statuses
        + ", duplicates reported in 200s: " + duplicatesReported;
  }
}
