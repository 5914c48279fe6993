package io.m365sync.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.m365sync.Mailbox;
import io.m365sync.MailboxId;
import io.m365sync.Purpose;
import io.m365sync.SyncEngine;
import io.m365sync.auth.AccessToken;
import io.m365sync.auth.TransientAuthFailureException;
import io.m365sync.model.CalendarEvent;
import io.m365sync.model.ResourceType;
import io.m365sync.state.SyncStateStore;
import io.m365sync.sync.ResourceSyncers;
import io.m365sync.testkit.InMemoryCrmStore;
import io.m365sync.testkit.model.FaultRule;
import io.m365sync.testkit.model.ModelUser;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Per-user token caches under timeouts, and re-sealing under a rotated key when the store fails. */
class MsalTokenIsolationTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private final EmulatorFixture fx = new EmulatorFixture();

  @AfterEach
  void close() {
    fx.close();
  }

  private MsalDelegatedTokenStrategy.Builder delegated(SyncStateStore store, TokenCacheCipher cipher) {
    return MsalDelegatedTokenStrategy.builder().clientId(EmulatorFixture.CLIENT_ID)
        .credential(AppCredential.secret(fx.secret)).store(store).cipher(cipher).clock(fx.clock)
        .routeTokenRequestsTo(URI.create(fx.emulator.loginBaseUrl()));
  }

  /** The MSAL cache stored in the mailbox's row. */
  static String storedMsalCache(SyncStateStore store, TokenCacheCipher cipher, MailboxId id) {
    try {
      byte[] plain = cipher.open(id, store.tokenCache(id).orElseThrow());
      return MAPPER.readTree(new String(plain, StandardCharsets.UTF_8)).get("msal").asText();
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void aRefreshThatTimedOutLandsLateInItsOwnUsersRowOnly() throws Exception {
    fx.tenant.refuseRotatedRefreshTokens(true);
    ModelUser alice = fx.tenant.addUser("alice");
    ModelUser bob = fx.tenant.addUser("bob");
    Mailbox a = fx.signIn(alice);
    Mailbox b = fx.signIn(bob);
    MsalDelegatedTokenStrategy s = delegated(fx.store, fx.cipher).timeout(Duration.ofMillis(1000)).build();
    fx.clock.advance(Duration.ofMinutes(70));
    // alice's refresh answers after 1.5 s (her caller gives up at 1 s); bob's, asked at 1 s, after 0.8 s:
    // alice's late answer arrives while bob's call is out
    fx.tenant.addFault(FaultRule.delay("oauth2/v2.0/token", null, 1, Duration.ofMillis(700)));
    fx.tenant.addFault(FaultRule.delay("oauth2/v2.0/token", null, 2, Duration.ofMillis(800)));

    assertThatThrownBy(() -> s.acquire(a, Purpose.BACKGROUND_SYNC)).isInstanceOf(TransientAuthFailureException.class);
    AccessToken bobs = s.acquire(b, Purpose.BACKGROUND_SYNC);
    assertThat(fx.cloud.validate(bobs.value()).objectId()).isEqualTo(bob.objectId());
    AccessToken alices = null;
    for (int i = 0; i < 10 && alices == null; i++) {
      try {
        alices = s.acquire(a, Purpose.BACKGROUND_SYNC); // joins her refresh still in flight
      } catch (TransientAuthFailureException stillWaiting) {
        // her refresh is still out; the next call waits for it again
      }
    }
    assertThat(alices).isNotNull();
    assertThat(fx.cloud.validate(alices.value()).objectId()).isEqualTo(alice.objectId());
    assertThat(fx.cloud.log().refreshRequests(alice.objectId())).isEqualTo(1);

    assertThat(storedMsalCache(fx.store, fx.cipher, b.id())).doesNotContain(alice.objectId());
    assertThat(storedMsalCache(fx.store, fx.cipher, a.id())).doesNotContain(bob.objectId());
    // her late answer was stored: the rotated refresh token works, the old one would be refused
    fx.clock.advance(Duration.ofMinutes(70));
    MsalDelegatedTokenStrategy restarted = delegated(fx.store, fx.cipher).build();
    assertThat(fx.cloud.validate(restarted.acquire(a, Purpose.BACKGROUND_SYNC).value()).objectId())
        .isEqualTo(alice.objectId());
    assertThat(fx.cloud.log().tokens().failed().count()).isZero();
  }

  @Test
  void aFailedReSealUnderARotatedKeyStillServesTheToken() {
    Mailbox m = fx.signIn(fx.tenant.addUser("kim"));
    AtomicInteger failuresLeft = new AtomicInteger(1);
    SyncStateStore flaky = (SyncStateStore) Proxy.newProxyInstance(getClass().getClassLoader(),
        new Class<?>[] {SyncStateStore.class}, (proxy, method, args) -> {
          if (method.getName().equals("putTokenCache") && failuresLeft.getAndDecrement() > 0) {
            throw new IllegalStateException("connection reset");
          }
          try {
            return method.invoke(fx.store, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
    byte[] k2 = new byte[32];
    k2[0] = 7;
    TokenCacheCipher rotated = fx.cipher.rotateTo("k2", k2);
    MsalDelegatedTokenStrategy s = delegated(flaky, rotated).build();
    AccessToken t = s.acquire(m, Purpose.BACKGROUND_SYNC); // served although the re-seal's write failed
    Captured.secret(t.value());
    assertThat(failuresLeft.get()).isNegative(); // the re-seal was tried and failed; a later write went through
    // a strategy that starts anew does not trust MSAL's cached token (its lifetime is on another clock):
    // the refresh's own write seals the row with the current key
    assertThat(new String(fx.store.tokenCache(m.id()).orElseThrow(), 5, 2, StandardCharsets.UTF_8)).isEqualTo("k2");
    assertThat(fx.cloud.validate(t.value()).objectId()).isNotNull();
  }

  @Test
  void aRefreshLandingWhileTheMailboxIsUnenrolledLeavesNoTokenCacheBehind() throws Exception {
    Mailbox m = fx.signIn(fx.tenant.addUser("lea"));
    CountDownLatch written = new CountDownLatch(1);
    // the store's purge holds the door open for a late write: what unenroll does first decides the outcome
    SyncStateStore store = (SyncStateStore) Proxy.newProxyInstance(getClass().getClassLoader(),
        new Class<?>[] {SyncStateStore.class}, (proxy, method, args) -> {
          try {
            Object result = method.invoke(fx.store, args);
            if (method.getName().equals("putTokenCache")) {
              written.countDown();
            } else if (method.getName().equals("purge")) {
              written.await(1500, TimeUnit.MILLISECONDS);
            }
            return result;
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
    MsalDelegatedTokenStrategy s = delegated(store, fx.cipher).timeout(Duration.ofMillis(200)).build();
    SyncEngine engine = SyncEngine.builder().clock(fx.clock).stateStore(store).gateway(fx.gateway).delegatedTokens(s)
        .resource(ResourceSyncers.oneWay(ResourceType.EVENTS, new InMemoryCrmStore<CalendarEvent>("event"))).build();
    engine.enroll(m);
    fx.clock.advance(Duration.ofMinutes(70));
    // answered after the caller gave up (200 ms) but inside the HTTP timeout (twice that)
    fx.tenant.addFault(FaultRule.delay("oauth2/v2.0/token", null, 1, Duration.ofMillis(320)));
    assertThatThrownBy(() -> s.acquire(m, Purpose.BACKGROUND_SYNC)).isInstanceOf(TransientAuthFailureException.class);

    engine.unenroll(m.id()); // the refresh is still out and lands during the purge

    assertThat(fx.store.tokenCache(m.id()).isPresent()).as("a token cache row left behind").isFalse();
    assertThat(fx.store.enrollment(m.id())).isEmpty();
  }
}
