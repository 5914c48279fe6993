package io.m365sync.testkit.model;

import java.time.Duration;

/**
 * How the model delivers change notifications, as a real Graph might: late, lost, twice, out of
 * order, several in one POST. Random choices come from {@code seed}, so a run repeats.
 *
 * @param delay how long after a change its notification leaves (notifications arriving meanwhile
 *     to the same URL go with it)
 * @param dropRate share of change notifications never sent (0..1)
 * @param duplicateRate share of change notifications sent twice (0..1)
 * @param reorder whether notifications leaving together are shuffled
 * @param maxBatch the most notifications in one POST
 * @param slowThreshold an endpoint answer slower than this counts as slow (Graph: 2,900 ms)
 */
public record DeliverySettings(Duration delay, double dropRate, double duplicateRate, boolean reorder, int maxBatch,
                               long seed, Duration slowThreshold) {
  public static final DeliverySettings PROMPT = new DeliverySettings(Duration.ZERO, 0, 0, false, 1, 0,
      Duration.ofMillis(2900));

  public DeliverySettings {
    if (dropRate < 0 || dropRate > 1 || duplicateRate < 0 || duplicateRate > 1) {
      throw new IllegalArgumentException("rates must lie in 0..1 but were " + dropRate + " and " + duplicateRate);
    }
    if (maxBatch < 1) {
      throw new IllegalArgumentException("'maxBatch' must be at least 1 but was " + maxBatch);
    }
    if (delay.isNegative()) {
      throw new IllegalArgumentException("'delay' must not be negative but was " + delay);
    }
  }

  public DeliverySettings withDelay(Duration d) {
    return new DeliverySettings(d, dropRate, duplicateRate, reorder, maxBatch, seed, slowThreshold);
  }

  public DeliverySettings withFaults(double drops, double duplicates, boolean shuffle, long randomSeed) {
    return new DeliverySettings(delay, drops, duplicates, shuffle, maxBatch, randomSeed, slowThreshold);
  }

  public DeliverySettings withMaxBatch(int max) {
    return new DeliverySettings(delay, dropRate, duplicateRate, reorder, max, seed, slowThreshold);
  }

  public DeliverySettings withSlowThreshold(Duration threshold) {
    return new DeliverySettings(delay, dropRate, duplicateRate, reorder, maxBatch, seed, threshold);
  }
}
