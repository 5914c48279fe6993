package io.m365sync.testkit.emulator;

import java.time.Duration;
import java.util.Objects;
import java.util.Random;
import java.util.function.ToLongFunction;

/**
 * How long the {@link M365Emulator} takes to answer one HTTP request: a distribution sampled once
 * per request (a {@code $batch} is one request). Real time, not the cloud's clock: it is there to
 * make clients wait. Seeded distributions draw the same sequence for the same seed (in the order
 * requests arrive). Thread-safe.
 */
public final class Latency {
  /** No delay: the default. */
  public static final Latency NONE = new Latency("none", r -> 0);

  /** The 99th percentile of the standard normal distribution. */
  private static final double Z_99 = 2.3263478740408408;

  private final String description;
  private final ToLongFunction<Random> nanos;
  private final Random random;

  private Latency(String description, ToLongFunction<Random> nanos) {
    this(description, nanos, 0);
  }

  private Latency(String description, ToLongFunction<Random> nanos, long seed) {
    this.description = description;
    this.nanos = nanos;
    this.random = new Random(seed);
  }

  /** Every request takes {@code delay}. */
  public static Latency fixed(Duration delay) {
    long n = nonNegative("delay", delay).toNanos();
    return n == 0 ? NONE : new Latency("fixed(" + delay + ")", r -> n);
  }

  /** Uniformly between {@code min} and {@code max}, seed 0. */
  public static Latency uniform(Duration min, Duration max) {
    return uniform(min, max, 0);
  }

  /** Uniformly between {@code min} and {@code max}. */
  public static Latency uniform(Duration min, Duration max, long seed) {
    long lo = nonNegative("min", min).toNanos();
    long hi = nonNegative("max", max).toNanos();
    if (hi < lo) {
      throw new IllegalArgumentException("'max' must not be below 'min' (" + min + ") but was " + max);
    }
    return new Latency("uniform(" + min + ", " + max + ", seed " + seed + ")",
        r -> lo + (long) (r.nextDouble() * (hi - lo)), seed);
  }

  /** Log-normal with the given median and 99th percentile, seed 0. */
  public static Latency longTail(Duration median, Duration p99) {
    return longTail(median, p99, 0);
  }

  /**
   * Log-normal with the given median and 99th percentile: most requests near the median, one in a
   * hundred slower than {@code p99}, a few much slower still (no upper bound), as Graph's are.
   */
  public static Latency longTail(Duration median, Duration p99, long seed) {
    Objects.requireNonNull(median, "median");
    Objects.requireNonNull(p99, "p99");
    if (median.isNegative() || median.isZero()) {
      throw new IllegalArgumentException("'median' must be positive but was " + median);
    }
    if (p99.compareTo(median) < 0) {
      throw new IllegalArgumentException("'p99' must not be below 'median' (" + median + ") but was " + p99);
    }
    double mu = Math.log(median.toNanos());
    double sigma = Math.log((double) p99.toNanos() / median.toNanos()) / Z_99;
    return new Latency("longTail(median " + median + ", p99 " + p99 + ", seed " + seed + ")",
        r -> Math.round(Math.exp(mu + sigma * r.nextGaussian())), seed);
  }

  /** The next sample. */
  public Duration next() {
    return Duration.ofNanos(nanos.applyAsLong(random));
  }

  boolean isNone() {
    return this == NONE;
  }

  private static Duration nonNegative(String name, Duration d) {
    Objects.requireNonNull(d, name);
    if (d.isNegative()) {
      throw new IllegalArgumentException("'" + name + "' must not be negative but was " + d);
    }
    return d;
  }

  @Override
  public String toString() {
    return "Latency." + description;
  }
}
