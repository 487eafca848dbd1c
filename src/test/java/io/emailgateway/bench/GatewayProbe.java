package io.emailgateway.bench;

import java.lang.reflect.Method;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * What a phase costs the gateway: CPU time from {@link CpuMeter}, and heap in use sampled every
 * 250 ms from the JVM's own performance counters (the hsperfdata memory the JDK tools read), for
 * its peak and for the old generation at the start and end of the phase — what stays after young
 * collections, so growth there over a long run is what "not flat" means. Under ZGC (Java 17: not
 * generational) the one space is read as the old generation: peak and "old" are then the whole heap. Reading those counters
 * costs the gateway nothing, unlike scraping its /metrics (which would be counted in its CPU).
 * The counters are read through {@code sun.jvmstat.monitor} by reflection (javac's {@code --release}
 * refuses to compile against it), so the JVM needs
 * {@code --add-exports jdk.internal.jvmstat/sun.jvmstat.monitor=ALL-UNNAMED}.
 */
final class GatewayProbe implements AutoCloseable {
  /** What one phase cost the gateway (and its PostgreSQL backends). */
  record Cost(CpuMeter.Split cpu, double heapPeakBytes, double oldGenFirstBytes, double oldGenLastBytes,
      GroupCommits commits) {}

  private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread thread = new Thread(r, "bench-probe");
    thread.setDaemon(true);
    return thread;
  });
  private final CpuMeter cpu;
  private final Method getValue;
  private final Object vm; // held: the counters are views of its mapping, which goes when it is collected
  private final Object[] young;
  private final Object old;
  private final long pid;
  private final String managementUrl;

  /** {@code managementUrl}: the gateway's management listener for its commit counts, or null. */
  GatewayProbe(long gatewayPid, CpuMeter cpu, String managementUrl) throws ReflectiveOperationException {
    this.cpu = cpu;
    this.managementUrl = managementUrl;
    this.pid = gatewayPid;
    Class<?> hostType = Class.forName("sun.jvmstat.monitor.MonitoredHost");
    Class<?> idType = Class.forName("sun.jvmstat.monitor.VmIdentifier");
    Class<?> vmType = Class.forName("sun.jvmstat.monitor.MonitoredVm");
    Object host = hostType.getMethod("getMonitoredHost", String.class).invoke(null, "localhost");
    this.vm = hostType.getMethod("getMonitoredVm", idType)
        .invoke(host, idType.getConstructor(String.class).newInstance(Long.toString(gatewayPid)));
    Method find = vmType.getMethod("findByName", String.class);
    this.getValue = Class.forName("sun.jvmstat.monitor.Monitor").getMethod("getValue");
    this.young = new Object[] {find.invoke(vm, "sun.gc.generation.0.space.0.used"),
        find.invoke(vm, "sun.gc.generation.0.space.1.used"), find.invoke(vm, "sun.gc.generation.0.space.2.used")};
    this.old = find.invoke(vm, "sun.gc.generation.1.space.0.used");
  }

  /** Starts sampling; {@link Sampling#stop()} returns what the phase cost. */
  Sampling start() {
    return new Sampling();
  }

  final class Sampling {
    private final GroupCommits commitsBefore = GroupCommits.read(managementUrl);
    private final CpuMeter.Split cpuBefore = cpu.read();
    private double heapPeak;
    private double oldFirst = -1;
    private double oldLast;
    private final ScheduledFuture<?> task = sampler.scheduleAtFixedRate(this::sample, 0, 250, TimeUnit.MILLISECONDS);

    private synchronized void sample() {
      double oldUsed = value(old);
      double used = oldUsed;
      for (Object space : young) {
        double spaceUsed = value(space);
        used += Double.isNaN(spaceUsed) ? 0 : spaceUsed; // ZGC (Java 17) has one space, counted as the old one
      }
      heapPeak = Math.max(heapPeak, used);
      if (oldFirst < 0) {
        oldFirst = oldUsed;
      }
      oldLast = oldUsed;
    }

    synchronized Cost stop() {
      task.cancel(false);
      sample();
      CpuMeter.Split used = cpu.read().minus(cpuBefore);
      return new Cost(used, heapPeak, oldFirst, oldLast, GroupCommits.read(managementUrl).minus(commitsBefore));
    }
  }

  /**
   * The gateway's live heap: a full collection ({@code jcmd GC.run}, outside any measured phase)
   * empties the young generation and leaves in the old one only what is reachable, so this
   * before and after a long run shows growth that the old generation's plain occupancy hides
   * (G1 leaves garbage there until its occupancy threshold, about 45 % of the heap).
   */
  double liveHeapBytes() throws java.io.IOException, InterruptedException {
    String jcmd = java.nio.file.Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
    Process gc = new ProcessBuilder(jcmd, Long.toString(pid), "GC.run").redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    if (!gc.waitFor(60, TimeUnit.SECONDS) || gc.exitValue() != 0) {
      gc.destroyForcibly();
      return Double.NaN;
    }
    Thread.sleep(300); // the counters are refreshed every 50 ms
    return value(old);
  }

  private double value(Object monitor) {
    try {
      return monitor == null ? Double.NaN : ((Number) getValue.invoke(monitor)).doubleValue();
    } catch (ReflectiveOperationException e) {
      return Double.NaN;
    }
  }

  @Override
  public void close() {
    sampler.shutdownNow();
  }
}
