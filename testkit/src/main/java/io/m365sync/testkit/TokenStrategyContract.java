package io.m365sync.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.m365sync.AuthMode;
import io.m365sync.Mailbox;
import io.m365sync.Purpose;
import io.m365sync.auth.AccessToken;
import io.m365sync.auth.ConsentRequiredException;
import io.m365sync.auth.CredentialsInvalidException;
import io.m365sync.auth.ReauthenticationRequiredException;
import io.m365sync.auth.TokenStrategy;
import io.m365sync.auth.TransientAuthFailureException;
import io.m365sync.testkit.model.EntraError;
import io.m365sync.testkit.model.ModelUser;
import io.m365sync.testkit.model.TenantModel;
import io.m365sync.testkit.model.TokenClaims;
import io.m365sync.testkit.model.TokenRequestQuery;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link TokenStrategy} must have, over a {@link io.m365sync.testkit.model.CloudModel}
 * (in memory for the fakes, over HTTP for the real strategies). Extend it and return a fresh world
 * from {@link #newWorld()}:
 *
 * <pre>{@code
 * class FakeDelegatedContractTest extends TokenStrategyContract {
 *   protected World newWorld() { ... }
 * }
 * }</pre>
 *
 * Delegated strategies are checked per user, application ones per tenant; the failure groups check
 * the exception classes {@link TokenStrategy#acquire} documents.
 */
public abstract class TokenStrategyContract {
  /** Past any access token's lifetime (an hour) and refresh margin. */
  protected static final Duration EXPIRED = Duration.ofMinutes(70);

  /** A strategy under test, the tenant it gets tokens from and what a host does around it. */
  protected interface World extends AutoCloseable {
    TokenStrategy strategy();

    /** The tenant (of a cloud whose clock is {@link #clock()}), its app registered and consented. */
    TenantModel tenant();

    MutableClock clock();

    /** The user is enrolled: signed in for a delegated strategy, a mailbox record for an application one. */
    Mailbox enroll(ModelUser user);

    /** What the engine does at unenrolment: purges the mailbox's stored state, then {@link TokenStrategy#forget}. */
    void unenroll(Mailbox mailbox);

    @Override
    default void close() {}
  }

  protected World world;

  /** A new world with a fresh cloud. */
  protected abstract World newWorld();

  @BeforeEach
  void createWorld() {
    world = newWorld();
  }

  @AfterEach
  void closeWorld() {
    world.close();
  }

  private boolean delegated() {
    return world.strategy().mode() == AuthMode.DELEGATED;
  }

  private AccessToken acquire(Mailbox m) {
    return world.strategy().acquire(m, Purpose.BACKGROUND_SYNC);
  }

  private TokenRequestQuery tokenRequests() {
    return world.tenant().cloud().log().tokens().tenant(world.tenant().tenantId())
        .grantType(delegated() ? "refresh_token" : "client_credentials");
  }

  private TokenClaims claims(AccessToken token) {
    return world.tenant().cloud().validate(token.value());
  }

  /** The token is the user's (delegated) or the tenant's (application). */
  private void assertBelongsTo(Mailbox m, AccessToken token) {
    TokenClaims c = claims(token);
    assertEquals(world.strategy().mode(), token.mode());
    assertEquals(world.strategy().mode(), c.mode());
    assertEquals(m.tenant().value(), c.tenantId());
    if (delegated()) {
      assertEquals(m.id().userObjectId(), c.objectId(), "a token of another user");
    }
  }

  @Nested
  class Acquiring {
    @Test
    void aTokenOfTheStrategysModeForAnEnrolledMailbox() {
      Mailbox m = world.enroll(world.tenant().addUser("alice"));
      AccessToken t = acquire(m);
      assertBelongsTo(m, t);
      assertTrue(t.expiresAt().isAfter(world.clock().instant()));
      assertTrue(!t.permissions().isEmpty(), "the token's permissions are known");
    }

    @Test
    void theSecondCallIsServedFromCache() {
      Mailbox m = world.enroll(world.tenant().addUser("alice"));
      AccessToken first = acquire(m);
      long requests = tokenRequests().count();
      AccessToken second = acquire(m);
      assertEquals(first.value(), second.value());
      assertEquals(requests, tokenRequests().count());
    }

    @Test
    void anExpiredTokenIsRenewed() {
      Mailbox m = world.enroll(world.tenant().addUser("alice"));
      AccessToken first = acquire(m);
      long requests = tokenRequests().count();
      world.clock().advance(EXPIRED);
      AccessToken renewed = acquire(m);
      assertNotEquals(first.value(), renewed.value());
      assertEquals(requests + 1, tokenRequests().count());
      assertBelongsTo(m, renewed);
    }
  }

  @Nested
  class Invalidating {
    @Test
    void theNextAcquireFetchesANewToken() {
      Mailbox m = world.enroll(world.tenant().addUser("alice"));
      AccessToken refused = acquire(m);
      long requests = tokenRequests().count();
      world.strategy().invalidate(m);
      AccessToken fresh = acquire(m);
      assertNotEquals(refused.value(), fresh.value());
      assertEquals(requests + 1, tokenRequests().count());
      assertBelongsTo(m, fresh);
      assertEquals(fresh.value(), acquire(m).value(), "the fresh token is cached again");
    }

    @Test
    void aFailedRenewalAfterInvalidateNeverHandsBackTheRefusedToken() {
      Mailbox m = world.enroll(world.tenant().addUser("alice"));
      AccessToken refused = acquire(m);
      world.strategy().invalidate(m);
      world.tenant().failNextTokenRequests(1, unavailable());
      assertThrows(TransientAuthFailureException.class, () -> acquire(m));
      assertNotEquals(refused.value(), acquire(m).value());
    }
  }

  @Nested
  class Forgetting {
    @Test
    void anUnenrolledMailboxHoldsNothingAndOthersAreUntouched() {
      Mailbox alice = world.enroll(world.tenant().addUser("alice"));
      Mailbox bob = world.enroll(world.tenant().addUser("bob"));
      acquire(alice);
      AccessToken bobs = acquire(bob);
      world.unenroll(alice);
      if (delegated()) {
        assertThrows(ReauthenticationRequiredException.class, () -> acquire(alice));
      } else {
        assertBelongsTo(alice, acquire(alice)); // application tokens belong to the tenant, not the mailbox
      }
      assertEquals(bobs.value(), acquire(bob).value());
    }
  }

  @Nested
  class Failing {
    @Test
    void anOutageIsTransientAndTheNextCallSucceeds() {
      Mailbox m = expiredToken();
      world.tenant().failNextTokenRequests(1, unavailable());
      assertThrows(TransientAuthFailureException.class, () -> acquire(m));
      assertBelongsTo(m, acquire(m));
    }

    @Test
    void refusedClientCredentialsAreCredentialsInvalid() {
      Mailbox m = expiredToken();
      world.tenant().failNextTokenRequests(1, EntraError.invalidClient(7000215, "Invalid client secret provided."));
      assertThrows(CredentialsInvalidException.class, () -> acquire(m));
    }

    @Test
    void missingConsentIsConsentRequired() {
      Mailbox m = expiredToken();
      world.tenant().failNextTokenRequests(1, EntraError.invalidGrant(65001,
          "The user or administrator has not consented to use the application.", "consent_required"));
      assertThrows(ConsentRequiredException.class, () -> acquire(m));
    }

    @Test
    void aRevokedGrantMeansSignInAgainForDelegatedTokens() {
      ModelUser alice = world.tenant().addUser("alice");
      Mailbox m = world.enroll(alice);
      acquire(m);
      world.clock().advance(EXPIRED);
      world.tenant().revokeSignInSessions(alice);
      if (delegated()) {
        assertThrows(ReauthenticationRequiredException.class, () -> acquire(m));
      } else {
        assertBelongsTo(m, acquire(m)); // the user's sessions do not concern the application
      }
    }

    private Mailbox expiredToken() {
      Mailbox m = world.enroll(world.tenant().addUser("alice"));
      acquire(m);
      world.clock().advance(EXPIRED);
      return m;
    }
  }

  @Nested
  class Concurrency {
    @Test
    void concurrentAcquiresForDifferentUsersNeverMix() throws Exception {
      List<Mailbox> boxes = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        boxes.add(world.enroll(world.tenant().addUser("user" + i)));
      }
      for (int round = 0; round < 3; round++) {
        world.clock().advance(EXPIRED);
        List<Callable<Void>> calls = new ArrayList<>();
        for (Mailbox m : boxes) {
          for (int k = 0; k < 2; k++) {
            calls.add(() -> {
              assertBelongsTo(m, acquire(m));
              return null;
            });
          }
        }
        runAll(calls);
      }
    }

    @Test
    void concurrentCallersShareOneRequestAndNeverReuseARotatedRefreshToken() throws Exception {
      world.tenant().refuseRotatedRefreshTokens(true);
      Mailbox m = world.enroll(world.tenant().addUser("alice"));
      acquire(m);
      for (int round = 0; round < 20; round++) {
        world.clock().advance(EXPIRED);
        long requests = tokenRequests().count();
        List<Callable<Void>> calls = new ArrayList<>();
        CyclicBarrier start = new CyclicBarrier(8);
        for (int k = 0; k < 8; k++) {
          calls.add(() -> {
            start.await();
            assertBelongsTo(m, acquire(m));
            return null;
          });
        }
        runAll(calls);
        assertEquals(requests + 1, tokenRequests().count(), "one token request per cache key and expiry");
      }
      assertEquals(0, tokenRequests().failed().count());
    }

    private void runAll(List<Callable<Void>> calls) throws Exception {
      ExecutorService pool = Executors.newFixedThreadPool(8);
      try {
        for (Future<Void> f : pool.invokeAll(calls)) {
          f.get();
        }
      } finally {
        pool.shutdownNow();
      }
    }
  }

  /** Entra's answer in an outage. */
  protected static EntraError unavailable() {
    return new EntraError(503, "temporarily_unavailable", 90006, "The service is temporarily unavailable.", null);
  }
}
