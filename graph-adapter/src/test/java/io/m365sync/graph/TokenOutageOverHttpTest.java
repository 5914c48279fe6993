package io.m365sync.graph;

import static org.assertj.core.api.Assertions.assertThat;

import io.m365sync.Mailbox;
import io.m365sync.Resource;
import io.m365sync.SyncEngine;
import io.m365sync.TenantStatus;
import io.m365sync.model.CalendarEvent;
import io.m365sync.model.ResourceType;
import io.m365sync.state.MailboxStatus;
import io.m365sync.sync.ResourceSyncers;
import io.m365sync.testkit.InMemoryCrmStore;
import io.m365sync.testkit.model.EntraError;
import io.m365sync.testkit.model.ModelUser;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * Over HTTP with the real MSAL4J: a token endpoint outage (an empty 503) is a short backoff for the
 * tenant's application mode, not an hour of "credentials refused" that also holds its users' refreshes.
 */
@Order(3)
class TokenOutageOverHttpTest {
  private final EmulatorFixture fx = new EmulatorFixture();
  private final ExecutorService pool = Executors.newFixedThreadPool(2);
  private final InMemoryCrmStore<CalendarEvent> crm = new InMemoryCrmStore<>("evt");

  @AfterEach
  void close() {
    pool.shutdownNow();
    fx.close();
  }

  @Test
  void anEmptyServiceUnavailableFromTheTokenEndpointIsABackoffNotRefusedCredentials() {
    SyncEngine engine = SyncEngine.builder().clock(fx.clock).executor(pool).stateStore(fx.store).gateway(fx.gateway)
        .delegatedTokens(fx.delegated).applicationTokens(fx.application)
        .resource(ResourceSyncers.oneWay(ResourceType.EVENTS, crm)).build();
    ModelUser uma = fx.tenant.addUser("uma");
    Instant start = fx.clock.instant().plus(Duration.ofDays(2));
    fx.tenant.mailbox(uma).calendar().create(CalendarEvent.simple("kickoff", start, start.plus(Duration.ofHours(1))));
    Mailbox m = fx.signIn(uma, Resource.EVENTS);
    engine.enroll(m);
    fx.grantApplication(Resource.EVENTS);
    engine.setApplicationPermissionEnabled(fx.tenantId(), true);
    engine.runCycle();
    assertThat(engine.tenantStatus(fx.tenantId()).appMode()).isEqualTo(TenantStatus.AppMode.ACTIVE);

    fx.clock.advance(Duration.ofHours(2)); // the app token expired: the next round asks the endpoint
    fx.tenant.failNextTokenRequests(1, EntraError.emptyBody(503));
    engine.runCycle();
    TenantStatus during = engine.tenantStatus(fx.tenantId());
    assertThat(during.reasonCode()).isEqualTo("HTTP 503");
    assertThat(during.retryAt()).isBefore(fx.clock.instant().plus(Duration.ofMinutes(5)));
    assertThat(engine.monitor().mailbox(m.id()).orElseThrow().status()).isEqualTo(MailboxStatus.ACTIVE);

    fx.clock.advance(Duration.ofMinutes(3));
    engine.runCycle();
    assertThat(engine.tenantStatus(fx.tenantId()).appMode()).isEqualTo(TenantStatus.AppMode.ACTIVE);
    assertThat(fx.cloud.log().tokens().grantType("client_credentials").succeeded().count()).isEqualTo(2);
    assertThat(crm.list(m.id())).hasSize(1);
  }
}
