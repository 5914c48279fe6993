package io.m365sync.examples.bench;

import io.m365sync.testkit.MutableClock;
import io.m365sync.testkit.emulator.M365Emulator;
import io.m365sync.testkit.model.CloudModel;
import java.time.Duration;

/**
 * What one steady-state cycle costs when nothing changed, 15 minutes (the default cycle interval)
 * after the last: HTTP round trips to the emulator (a {@code $batch} is one), Graph requests as
 * Graph counts them against its limits (each {@code $batch} step is one) and token requests. The
 * cloud's request log is cleared first, so a long run does not keep every request. The engine's
 * upkeep follows the cycle, as its schedulers run it, outside the figures.
 */
record IdleCycle(long httpRoundTrips, long graphRequests, long tokenRequests, long applied, Duration took) {
  static IdleCycle measure(FullStackPath path, M365Emulator emulator, CloudModel cloud, MutableClock clock) {
    clock.advance(Duration.ofMinutes(15));
    cloud.log().clear();
    int http0 = emulator.requestCount();
    long t0 = System.nanoTime();
    long applied = path.engine.runCycle().applied();
    Duration took = Duration.ofNanos(System.nanoTime() - t0);
    long http = emulator.requestCount() - http0;
    IdleCycle idle = new IdleCycle(http, cloud.log().count(r -> r.isGraph()), cloud.log().count(r -> r.isToken()), applied, took);
    path.engine.upkeep(); // as the engine's schedulers do after each cycle (the store's housekeeping among it)
    return idle;
  }
}
