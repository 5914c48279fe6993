package io.m365sync.graph;

import static org.assertj.core.api.Assertions.assertThat;

import io.m365sync.Mailbox;
import io.m365sync.Purpose;
import io.m365sync.auth.AccessToken;
import io.m365sync.auth.TransientAuthFailureException;
import io.m365sync.testkit.model.FaultRule;
import io.m365sync.testkit.model.ModelUser;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Users of one tenant refreshing in parallel through one delegated strategy while the token
 * endpoint is slow and sometimes slower than the callers wait (seeded): every stored cache holds
 * only its own user's account, no refresh token is redeemed after its rotation (the tenant refuses
 * it), and what a caller waits does not grow with the number of users (printed, not asserted).
 */
class TokenRefreshConcurrencyTest {
  private static final long SEED = 20_260_105L;
  private static final int USER_ROUNDS = 500;
  /** Rounds per run; unset: {@link #USER_ROUNDS} user-refreshes per run (the suite). The full property: 500. */
  private static final Integer ROUNDS = Integer.getInteger("m365sync.refreshRounds");

  @Test
  void fiveAndFiftyUsersRefreshingInParallelKeepTheirOwnCaches() throws Exception {
    List<Long> five = run(5);
    List<Long> fifty = run(50);
    System.out.printf("delegated acquire wait (ms), %s: 5 users p50=%.1f p99=%.1f; 50 users p50=%.1f p99=%.1f%n",
        ROUNDS != null ? ROUNDS + " rounds each" : USER_ROUNDS + " user-refreshes each", pct(five, 50), pct(five, 99), pct(fifty, 50), pct(fifty, 99));
  }

  /** {@link #USER_ROUNDS} refreshes in rounds of {@code users} parallel callers; the successful callers' waits in µs. */
  private List<Long> run(int users) throws Exception {
    List<Long> waits = Collections.synchronizedList(new ArrayList<>());
    // enough handler threads that no exchange outlives the client's HTTP timeout queued in the emulator:
    // a refresh answered after the client gave up rotates a token the client never saw
    try (EmulatorFixture fx = new EmulatorFixture(10_000, 64)) {
      fx.tenant.refuseRotatedRefreshTokens(true);
      List<ModelUser> people = new ArrayList<>();
      List<Mailbox> boxes = new ArrayList<>();
      for (int i = 0; i < users; i++) {
        ModelUser u = fx.tenant.addUser("user" + i);
        people.add(u);
        boxes.add(fx.signIn(u));
      }
      MsalDelegatedTokenStrategy s = MsalDelegatedTokenStrategy.builder().clientId(EmulatorFixture.CLIENT_ID)
          .credential(AppCredential.secret(fx.secret)).store(fx.store).cipher(fx.cipher).clock(fx.clock)
          .routeTokenRequestsTo(URI.create(fx.emulator.loginBaseUrl())).timeout(Duration.ofMillis(400)).threads(8).build();
      // every other token request a little slow, one in twenty slower than its caller waits (400 ms) but well
      // inside the HTTP timeout (800 ms): an answer the client never reads rotates a token it never saw,
      // which only this strict tenant refuses (on 2 busy cores, 50 MSAL threads made exchanges miss it)
      fx.tenant.addFault(FaultRule.delayRandomly("oauth2/v2.0/token", null, 0.5, SEED, Duration.ofMillis(20)));
      fx.tenant.addFault(FaultRule.delayRandomly("oauth2/v2.0/token", null, 0.05, SEED + 1, Duration.ofMillis(450)));
      ExecutorService callers = Executors.newFixedThreadPool(users);
      try {
        for (int round = 0; round < (ROUNDS != null ? ROUNDS : USER_ROUNDS / users); round++) {
          fx.clock.advance(Duration.ofMinutes(70));
          List<Callable<Void>> calls = new ArrayList<>();
          for (Mailbox m : boxes) {
            calls.add(() -> {
              long start = System.nanoTime();
              try {
                AccessToken t = s.acquire(m, Purpose.BACKGROUND_SYNC);
                waits.add((System.nanoTime() - start) / 1_000);
                assertThat(fx.cloud.validate(t.value()).objectId()).isEqualTo(m.id().userObjectId());
              } catch (TransientAuthFailureException timedOut) {
                // the refresh goes on and lands for this user; the next round uses it
              }
              return null;
            });
          }
          for (Future<Void> f : callers.invokeAll(calls)) {
            f.get();
          }
        }
        // the late refreshes land: one quiet round in which every user gets a token
        fx.tenant.clearFaults();
        fx.clock.advance(Duration.ofMinutes(70));
        for (Mailbox m : boxes) {
          AccessToken t = null;
          for (int i = 0; i < 20 && t == null; i++) {
            try {
              t = s.acquire(m, Purpose.BACKGROUND_SYNC);
            } catch (TransientAuthFailureException stillLanding) {
              // a refresh of the last round is still out; wait for it again
            }
          }
          assertThat(t).isNotNull();
        }
      } finally {
        callers.shutdownNow();
      }
      for (int i = 0; i < users; i++) {
        String cache = MsalTokenIsolationTest.storedMsalCache(fx.store, fx.cipher, boxes.get(i).id());
        assertThat(cache).contains(people.get(i).objectId());
        for (int j = 0; j < users; j++) {
          if (j != i) {
            assertThat(cache).doesNotContain(people.get(j).objectId());
          }
        }
      }
      assertThat(fx.cloud.log().tokens().error("AADSTS70008").count()).as("refresh tokens redeemed after rotation").isZero();
      assertThat(fx.cloud.log().tokens().failed().count()).isZero();
    }
    return waits;
  }

  private static double pct(List<Long> micros, int p) {
    List<Long> sorted = new ArrayList<>(micros);
    Collections.sort(sorted);
    return sorted.isEmpty() ? 0 : sorted.get(Math.min(sorted.size() - 1, sorted.size() * p / 100)) / 1000.0;
  }
}
