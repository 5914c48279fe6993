package io.m365sync.examples.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.m365sync.Resource;
import io.m365sync.testkit.model.FaultRule;
import org.junit.jupiter.api.Test;

/**
 * Chaos over HTTP: 200 small mailboxes synced by the production stack against the emulator, once
 * clean and once with about 10 % of Graph requests failing at random (429 with Retry-After, 503,
 * dropped connections, timeouts) and 1 % of delta requests answered 410, on two worlds built from the
 * same seed, with the same changes in Microsoft 365 between cycles and the same schedule of cycles.
 * The CRM must converge to Microsoft 365 (every item exactly once, same content) using at most 1.5×
 * the clean run's Graph requests. Figures go to stdout (the surefire report) and BENCHMARKS.md.
 */
class ChaosOverHttpTest {
  static final long SEED = 20260302L;
  static final int MAILBOXES = Integer.getInteger("chaos.mailboxes", 200);
  static final int EVENTS = 5;
  static final int CONTACTS = 3;
  static final int CHANGE_BATCHES = 3;
  static final int CLEAN_CYCLES_AFTER = 2;
  static final int MAX_CYCLES = 40;

  /** What one run did. */
  record Run(int cycles, int quietAfter, long requests, long requestsToQuiet, long fullRoundStarts) {}

  @Test
  void theCrmConvergesExactlyOnceUnderTenPercentFaultsWithinOneAndAHalfTimesTheCleanRequests() {
    long t0 = System.nanoTime();
    StringBuilder faults = new StringBuilder();
    Run chaos;
    try (ChaosWorld w = new ChaosWorld(SEED, MAILBOXES, EVENTS, CONTACTS)) {
      w.unleash(10, 1);
      chaos = run(w, -1);
      long all = 0;
      for (var e : w.faults.entrySet()) {
        faults.append(String.format("  %-22s %5d%n", e.getKey(), e.getValue().fired()));
        all += e.getValue().fired();
      }
      faults.append(String.format("  %-22s %5d of the %d requests sent while faults were on (%.1f %%)%n", "all",
          all, chaos.requestsToQuiet(), 100.0 * all / chaos.requestsToQuiet()));
      assertConverged(w);
    }
    long tChaos = System.nanoTime();
    Run clean;
    try (ChaosWorld w = new ChaosWorld(SEED, MAILBOXES, EVENTS, CONTACTS)) {
      clean = run(w, chaos.cycles());
      assertConverged(w);
    }
    double ratio = chaos.requests() / (double) clean.requests();
    String report = String.format("Chaos over HTTP: %d mailboxes x (%d events + %d contacts), page size 2, seed %d, "
            + "%d change batches%n"
            + "clean run: quiet after cycle %d, %d Graph requests by then; %d over the same %d cycles as the chaos run%n"
            + "chaos run: quiet after cycle %d (%d Graph requests by then), faults off after it, %d clean cycles more: "
            + "%d cycles, %d Graph requests%n"
            + "ratio chaos / clean (same cycles): %.2f; until each was quiet: %.2f%n"
            + "full rounds started (delta without a token): clean %d, chaos %d%n"
            + "faults injected:%n%s"
            + "duplicates 0, lost records 0; run time chaos %.1f s, clean %.1f s%n",
        MAILBOXES, EVENTS, CONTACTS, SEED, CHANGE_BATCHES, clean.quietAfter(), clean.requestsToQuiet(), clean.requests(),
        clean.cycles(), chaos.quietAfter(), chaos.requestsToQuiet(), chaos.cycles() - chaos.quietAfter(), chaos.cycles(),
        chaos.requests(),
        ratio, chaos.requestsToQuiet() / (double) clean.requestsToQuiet(), clean.fullRoundStarts(),
        chaos.fullRoundStarts(), faults,
        (tChaos - t0) / 1e9, (System.nanoTime() - tChaos) / 1e9);
    System.out.print(report);
    assertThat(ratio).as(report).isLessThanOrEqualTo(1.5);
  }

  /**
   * The initial cycle, a change batch before each of the next {@link #CHANGE_BATCHES} cycles, then
   * cycles until the CRM mirrors Microsoft 365 (quiet); with faults on, they go off then and at least
   * {@link #CLEAN_CYCLES_AFTER} clean cycles follow, more until every mailbox is ACTIVE again. {@code cycles}
   * > 0 runs that many cycles in all.
   */
  private static Run run(ChaosWorld w, int cycles) {
    int cycle = 0;
    int quietAfter = -1;
    long toQuiet = 0;
    // after the faults, clean cycles until every mailbox has had a round: one that failed several times in a row
    // waits out its backoff (doubling per failure) before its next round, which may take more than a few cycles
    while (cycles > 0 ? cycle < cycles
        : quietAfter < 0 || cycle < quietAfter + CLEAN_CYCLES_AFTER || !w.notActive().isEmpty()) {
      if (cycle >= 1 && cycle <= CHANGE_BATCHES) {
        w.change();
      }
      w.cycle();
      cycle++;
      if (quietAfter < 0 && cycle > CHANGE_BATCHES && w.diverged().isEmpty()) {
        quietAfter = cycle;
        toQuiet = w.graphRequests();
        w.calm();
      }
      assertThat(cycle).as("cycles without converging; diverged: %s", w.diverged()).isLessThan(MAX_CYCLES);
    }
    return new Run(cycle, quietAfter, w.graphRequests(), toQuiet, w.fullRoundStarts());
  }

  private static void assertConverged(ChaosWorld w) {
    assertThat(w.diverged()).as("mailboxes whose CRM differs from Microsoft 365").isEmpty();
    assertThat(w.duplicates()).as("CRM duplicates").isZero();
    assertThat(w.notActive()).as("mailboxes not ACTIVE after the clean cycles").isEmpty();
    for (var m : w.mailboxes) {
      assertThat(w.engine.stateStore().links(m.id(), Resource.EVENTS)).hasSize(w.eventCrm.items(m.id()).size());
      assertThat(w.engine.stateStore().links(m.id(), Resource.CONTACTS)).hasSize(w.contactCrm.items(m.id()).size());
    }
  }
}
