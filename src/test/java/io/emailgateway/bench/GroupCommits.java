package io.emailgateway.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The gateway's group commits so far, from its own {@code /metrics}: how many, and how many
 * requests and events they wrote. Read just before and after a phase (outside its CPU window),
 * the difference says how many requests each commit carried — what the database's cost per event
 * depends on — and how long the commits took, how long requests waited for a free writer
 * ({@code gateway_persist_queue_wait}) and how long the gateway itself took to answer (its
 * {@code gateway_ack_latency}): a slow commit, a queue behind busy commits and time spent before
 * the hand-off to the persist verticle each show in a different one.
 */
record GroupCommits(double commits, double requests, double events, Buckets commitSeconds, Buckets queueSeconds,
    Buckets ackSeconds) {
  static final GroupCommits UNKNOWN = new GroupCommits(Double.NaN, Double.NaN, Double.NaN, Buckets.NONE, Buckets.NONE,
      Buckets.NONE);
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  static GroupCommits read(String managementUrl) {
    if (managementUrl == null) {
      return UNKNOWN;
    }
    try {
      String text = HTTP.send(HttpRequest.newBuilder(URI.create(managementUrl + "/metrics")).timeout(Duration.ofSeconds(10))
          .build(), HttpResponse.BodyHandlers.ofString()).body();
      return from(text);
    } catch (java.io.IOException e) {
      return UNKNOWN;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return UNKNOWN;
    }
  }

  static GroupCommits from(String text) {
    return new GroupCommits(value(text, "gateway_persist_batch_events_count"),
        value(text, "gateway_persist_batch_requests_sum"), value(text, "gateway_persist_batch_events_sum"),
        Buckets.read(text, "gateway_persist_duration_seconds"), Buckets.read(text, "gateway_persist_queue_wait_seconds"),
        Buckets.read(text, "gateway_ack_latency_seconds"));
  }

  /** The sum of every series of {@code name} (Prometheus text format). */
  static double value(String text, String name) {
    double sum = 0;
    boolean found = false;
    for (String line : text.split("\n")) {
      if (line.startsWith(name) && line.length() > name.length()
          && (line.charAt(name.length()) == ' ' || line.charAt(name.length()) == '{')) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        found = true;
      }
    }
    return found ? sum : Double.NaN;
  }

  GroupCommits minus(GroupCommits before) {
    return new GroupCommits(commits - before.commits, requests - before.requests, events - before.events,
        commitSeconds.minus(before.commitSeconds), queueSeconds.minus(before.queueSeconds), ackSeconds.minus(before.ackSeconds));
  }

  double requestsPerCommit() {
    return requests / commits;
  }

  double eventsPerCommit() {
    return events / commits;
  }
}
