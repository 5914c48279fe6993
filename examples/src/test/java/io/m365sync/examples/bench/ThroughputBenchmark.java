package io.m365sync.examples.bench;

import java.lang.management.ManagementFactory;
import java.util.Arrays;

/**
 * Not a test: throughput within Graph's limits (issue #17), one mode per run —
 * {@code cpu} (a: CPU-bound, each path until its rate settles, H2 or PostgreSQL state),
 * {@code latency} (b: long-tailed latency and Graph's limits, full stack at the defaults vs the naive
 * loop, one large mailbox alone) and {@code idle} (c: round trips, token requests and heap per idle
 * mailbox over many cycles) and {@code cluster} (two nodes on embedded PostgreSQL against one, with (b)'s
 * latency: throughput and overlapping rounds) and {@code links} (the state store's cost per link written, small
 * mailboxes against large) and {@code linkshapes} (a link row's own cost to PostgreSQL, or with {@code store=h2} to an H2 file, by the indexes beside it). Arguments after the mode are {@code key=value}; each mode documents its
 * own. Commands and figures: {@code BENCHMARKS.md}.
 *
 * <pre>mvn -q -B -o -pl examples test-compile exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=io.m365sync.examples.bench.ThroughputBenchmark -Dexec.args="latency mailboxes=1000"</pre>
 */
public final class ThroughputBenchmark {
  private ThroughputBenchmark() {}

  public static void main(String[] args) throws Exception {
    String mode = args.length > 0 ? args[0] : "cpu";
    BenchArgs rest = BenchArgs.parse(Arrays.copyOfRange(args, Math.min(1, args.length), args.length));
    System.out.println(machine());
    System.out.println(run(mode, rest));
    System.out.println(String.format("load average at the end: %.1f", ManagementFactory.getOperatingSystemMXBean()
        .getSystemLoadAverage()));
  }

  /** Runs one mode and returns its report. */
  static String run(String mode, BenchArgs args) throws Exception {
    return switch (mode) {
      case "cpu" -> CpuBoundMode.report(CpuBoundMode.run(args));
      case "latency" -> LatencyBoundMode.report(LatencyBoundMode.run(args));
      case "idle" -> IdleCycleMode.report(IdleCycleMode.run(args));
      case "cluster" -> ClusterMode.report(ClusterMode.run(args));
      case "links" -> LinkWritesMode.report(LinkWritesMode.run(args));
      case "linkshapes" -> LinkTableShapesMode.report(LinkTableShapesMode.run(args));
      default -> throw new IllegalArgumentException("mode must be cpu, latency, idle, cluster, links or linkshapes but was '"
          + mode + "'");
    };
  }

  static String machine() {
    Runtime rt = Runtime.getRuntime();
    return String.format("machine: %d cpus, %s %s, JDK %s, GC %s, max heap %,d MiB, load average at the start %.1f",
        rt.availableProcessors(), System.getProperty("os.name"), System.getProperty("os.arch"),
        System.getProperty("java.version"), ManagementFactory.getGarbageCollectorMXBeans().stream()
            .map(java.lang.management.GarbageCollectorMXBean::getName).toList(), rt.maxMemory() >> 20,
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
  }
}
