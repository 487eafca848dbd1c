package io.emailgateway.bench;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The benchmark of issue 8 (not a test; bench/run.sh runs it against a gateway it started):
 * <pre>
 * Bench prepare --dir DIR --cert-port PORT        fresh keys and bench.env for the gateway's bench config
 * Bench run --dir DIR --gateway URL --gateway-pid PID --ceiling URL --pg URI --cert-port PORT
 *           [--seconds 10] [--warmup 3] [--connections 32] [--open-fraction 0.7 | --open-rate REQ/S] [--soak-seconds 0]
 *           [--scenarios sendgrid-1,sendgrid-10,sendgrid-100,sendgrid-1000,mailgun,ses]
 *           [--open sendgrid-100,mailgun] [--pool-mb 1024] [--events-in-flight 3200] [--ceilings false]
 *           [--ceiling-connections 4,32]
 * </pre>
 * Per scenario: a closed-loop warm-up and run against the gateway, an open-loop run at
 * {@code open-fraction} of the closed loop's rate for the {@code --open} scenarios, the HTTP ceiling
 * with the same requests and the database ceiling with the same rows; at the end an optional soak
 * (a long open-loop run: is the heap flat?). Every phase's
 * acknowledged events are looked up in PostgreSQL. Exit status 3 when any is missing.
 */
public final class Bench {
  private Bench() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> options = options(Arrays.copyOfRange(args, 1, args.length));
    if (args.length > 0 && args[0].equals("prepare")) {
      BenchKeys.prepare(Path.of(options.get("dir")), Integer.parseInt(options.get("cert-port")));
      return;
    }
    if (args.length == 0 || !args[0].equals("run")) {
      System.err.println("usage: Bench prepare|run --key value … (see the class comment)");
      System.exit(2);
    }
    System.exit(run(options));
  }

  private static int run(Map<String, String> o) throws Exception {
    BenchKeys keys = BenchKeys.load(Path.of(o.get("dir")));
    int certPort = Integer.parseInt(o.get("cert-port"));
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
    HttpServer certServer = vertx.createHttpServer()
        .requestHandler(request -> request.response().end(Buffer.buffer(keys.snsCertificatePem())))
        .listen(certPort, "127.0.0.1").await();
    Map<String, Workload> workloads = new LinkedHashMap<>();
    for (int batch : new int[] {1, 10, 100, 1000}) {
      workloads.put("sendgrid-" + batch, new SendGridWorkload(batch, keys.sendGridKey(), keys.sendGridPublicKey()));
    }
    workloads.put("mailgun", new MailgunWorkload(keys.mailgunKey()));
    workloads.put("ses", new SesWorkload(keys.snsKey(), BenchKeys.certUrl(certPort), BenchKeys.TOPIC_ARN));
    Map<String, String> machine = machine();
    Scenarios scenarios = new Scenarios(vertx, o, machine);
    try {
      for (String name : list(o, "scenarios", "sendgrid-1,sendgrid-10,sendgrid-100,sendgrid-1000,mailgun,ses")) {
        Workload workload = workloads.get(name);
        if (workload == null) {
          throw new IllegalArgumentException("unknown scenario " + name + "; known: " + workloads.keySet());
        }
        scenarios.run(workload, list(o, "open", "sendgrid-100,mailgun").contains(name));
      }
      double soak = Double.parseDouble(o.getOrDefault("soak-seconds", "0"));
      if (soak > 0) {
        scenarios.soak(workloads.get(o.getOrDefault("soak-scenario", "sendgrid-100")), soak);
      }
    } finally {
      scenarios.close();
      certServer.close().await();
      vertx.close().await();
    }
    machine.put("load average after", Files.readString(Path.of("/proc/loadavg")).trim());
    ResultTable table = scenarios.table();
    System.out.println();
    System.out.println(table.render());
    System.out.println(table.targets());
    System.out.println(ResultTable.machine(machine));
    long lost = table.rows().stream().mapToLong(ResultTable.Row::lostEvents).sum();
    if (lost > 0 || scenarios.lost() > 0) {
      System.out.println("FAILED: acknowledged events are missing from PostgreSQL");
      return 3;
    }
    System.out.println("every acknowledged event is stored");
    return 0;
  }

  private static Map<String, String> machine() throws Exception {
    Map<String, String> facts = new LinkedHashMap<>();
    facts.put("date", ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
    facts.put("cores", Integer.toString(Runtime.getRuntime().availableProcessors()));
    String memTotal = Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal"))
        .findFirst().orElse("MemTotal: ?").replaceAll("\\s+", " ");
    facts.put("memory", memTotal.substring(memTotal.indexOf(':') + 1).trim());
    facts.put("load average before", Files.readString(Path.of("/proc/loadavg")).trim());
    return facts;
  }

  static List<String> list(Map<String, String> options, String key, String fallback) {
    String value = options.getOrDefault(key, fallback);
    return value.isBlank() ? List.of() : List.of(value.split(","));
  }

  private static Map<String, String> options(String[] args) {
    Map<String, String> options = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (!args[i].startsWith("--")) {
        throw new IllegalArgumentException("expected --key value, got " + args[i]);
      }
      options.put(args[i].substring(2), args[i + 1]);
    }
    return options;
  }
}
