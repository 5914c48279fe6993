package io.m365sync.graph;

import static org.assertj.core.api.Assertions.assertThat;

import io.m365sync.Mailbox;
import io.m365sync.Purpose;
import io.m365sync.Resource;
import io.m365sync.auth.AccessToken;
import io.m365sync.testkit.MutableClock;
import io.m365sync.testkit.model.ModelUser;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * A token lives {@code expires_in} from its arrival on the strategy's clock, whatever the access
 * token's own {@code exp} says (access tokens are opaque to clients): here the host's clock runs two
 * hours ahead of Entra's, so every token's {@code exp} is already past on arrival by the host's clock.
 */
@Order(1)
class TokenLifetimeTest {
  private final EmulatorFixture fx = new EmulatorFixture();
  private final MutableClock host = new MutableClock(fx.clock.instant().plus(Duration.ofHours(2)));

  @AfterEach
  void close() {
    fx.close();
  }

  @Test
  void anApplicationTokenIsKeptForItsExpiresInNotUntilItsExp() {
    fx.grantApplication(Resource.EVENTS);
    Mailbox m = fx.mailbox(fx.tenant.addUser("sam"), Resource.EVENTS);
    MsalApplicationTokenStrategy app = MsalApplicationTokenStrategy.builder().clientId(EmulatorFixture.CLIENT_ID)
        .credential(AppCredential.secret(fx.secret)).clock(host)
        .routeTokenRequestsTo(URI.create(fx.emulator.loginBaseUrl())).build();

    AccessToken first = app.acquire(m, Purpose.BACKGROUND_SYNC);
    Captured.secret(first.value());
    assertThat(first.expiresAt()).isBetween(host.instant().plus(Duration.ofMinutes(59)), host.instant().plus(Duration.ofHours(1)));
    for (int i = 0; i < 5; i++) {
      assertThat(app.acquire(m, Purpose.BACKGROUND_SYNC).value()).isEqualTo(first.value());
    }
    assertThat(fx.cloud.log().tokens().grantType("client_credentials").count()).isEqualTo(1);

    host.advance(Duration.ofMinutes(56)); // within the 5-minute margin of expires_in
    fx.clock.advance(Duration.ofMinutes(56));
    Captured.secret(app.acquire(m, Purpose.BACKGROUND_SYNC).value());
    assertThat(fx.cloud.log().tokens().grantType("client_credentials").count()).isEqualTo(2);
  }

  @Test
  void aDelegatedTokenIsKeptForItsExpiresInNotUntilItsExp() {
    ModelUser tess = fx.tenant.addUser("tess");
    MsalDelegatedTokenStrategy delegated = MsalDelegatedTokenStrategy.builder().clientId(EmulatorFixture.CLIENT_ID)
        .credential(AppCredential.secret(fx.secret)).store(fx.store).cipher(fx.cipher).clock(host)
        .routeTokenRequestsTo(URI.create(fx.emulator.loginBaseUrl())).build();
    String code = fx.emulator.authorizationCode(fx.tenant, tess, EmulatorFixture.CLIENT_ID);
    Captured.secret(code);
    Mailbox m = delegated.signIn(fx.tenantId(), code, EmulatorFixture.REDIRECT, "crm-tess",
        java.util.EnumSet.of(Resource.EVENTS));

    for (int i = 0; i < 5; i++) {
      AccessToken t = delegated.acquire(m, Purpose.BACKGROUND_SYNC);
      Captured.secret(t.value());
      assertThat(t.permissions()).contains("Calendars.ReadWrite");
    }
    assertThat(fx.cloud.log().refreshRequests(tess.objectId())).isZero();

    host.advance(Duration.ofMinutes(56));
    fx.clock.advance(Duration.ofMinutes(56));
    Captured.secret(delegated.acquire(m, Purpose.BACKGROUND_SYNC).value());
    assertThat(fx.cloud.log().refreshRequests(tess.objectId())).isEqualTo(1);
  }
}
