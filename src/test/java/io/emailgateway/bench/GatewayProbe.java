package io.emailgateway.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Reads the gateway's own Prometheus metrics: process CPU time (for CPU per event) and heap in use
 * (sampled every 500 ms while a phase runs, for its peak and whether it grows).
 */
final class GatewayProbe implements AutoCloseable {
  /** Heap in use at one moment: all of it, and the old generation (what stays after young GCs). */
  record Heap(double usedBytes, double oldBytes) {}

  /** What one phase cost the gateway. */
  record Cost(double cpuSeconds, double heapPeakBytes, double oldGenFirstBytes, double oldGenLastBytes) {}

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread thread = new Thread(r, "bench-probe");
    thread.setDaemon(true);
    return thread;
  });
  private final URI metrics;

  GatewayProbe(String managementUrl) {
    this.metrics = URI.create(managementUrl + "/metrics");
  }

  /** Starts sampling; {@link Sampling#stop()} returns what the phase cost. */
  Sampling start() {
    return new Sampling();
  }

  final class Sampling {
    private final double cpuBefore = cpuSeconds();
    private double heapPeak;
    private double oldFirst = -1;
    private double oldLast;
    private final java.util.concurrent.ScheduledFuture<?> task =
        sampler.scheduleAtFixedRate(this::sample, 0, 500, TimeUnit.MILLISECONDS);

    private synchronized void sample() {
      Heap heap = heap();
      heapPeak = Math.max(heapPeak, heap.usedBytes());
      if (oldFirst < 0) {
        oldFirst = heap.oldBytes();
      }
      oldLast = heap.oldBytes();
    }

    synchronized Cost stop() {
      task.cancel(false);
      sample();
      return new Cost(cpuSeconds() - cpuBefore, heapPeak, oldFirst, oldLast);
    }
  }

  double cpuSeconds() {
    return metric(scrape(), "process_cpu_time_ns_total", null) / 1e9;
  }

  Heap heap() {
    String text = scrape();
    return new Heap(metric(text, "jvm_memory_used_bytes", "area=\"heap\""), metric(text, "jvm_memory_used_bytes", "Old Gen"));
  }

  private String scrape() {
    try {
      HttpRequest request = HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(5)).build();
      return http.send(request, HttpResponse.BodyHandlers.ofString()).body();
    } catch (Exception e) {
      return "";
    }
  }

  /** Sum of the samples of {@code name} whose labels contain {@code labelPart} (null: any). */
  static double metric(String text, String name, String labelPart) {
    double sum = 0;
    for (String line : text.split("\n")) {
      if (line.startsWith(name) && (line.length() > name.length())
          && (line.charAt(name.length()) == ' ' || line.charAt(name.length()) == '{')
          && (labelPart == null || line.contains(labelPart))) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }

  @Override
  public void close() {
    sampler.shutdownNow();
  }
}
