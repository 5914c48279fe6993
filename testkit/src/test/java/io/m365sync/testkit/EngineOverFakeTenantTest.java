package io.m365sync.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.m365sync.AuthMode;
import io.m365sync.MailboxId;
import io.m365sync.Resource;
import io.m365sync.SyncEngine;
import io.m365sync.model.CalendarEvent;
import io.m365sync.model.ResourceType;
import io.m365sync.state.MailboxState;
import io.m365sync.state.MailboxStatus;
import io.m365sync.state.SyncStateStore;
import io.m365sync.sync.ResourceSyncers;
import io.m365sync.testkit.model.ModelUser;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The README's testing section, line for line: an engine from {@link FakeMicrosoft365#engineBuilder()},
 * delegated sync, the 90-day cliff, then the two calls behind application permission (the admin's
 * consent in the fake, the tenant switch on the engine).
 */
class EngineOverFakeTenantTest {

  @Test
  void theReadmeStoryRunsOnTheReadyBuilder() {
    FakeMicrosoft365 m365 = FakeMicrosoft365.create();
    ModelUser alice = m365.addUser("alice");
    Instant start = m365.clock().instant().plus(Duration.ofDays(1));
    m365.mailbox(alice).calendar().create(CalendarEvent.simple("Kick-off", start, start.plus(Duration.ofHours(1))));
    InMemoryCrmStore<CalendarEvent> crmEvents = new InMemoryCrmStore<>("event");
    SyncEngine engine = m365.engineBuilder()
        .resource(ResourceSyncers.twoWay(ResourceType.EVENTS, crmEvents))
        .build();
    MailboxId id = m365.mailboxId(alice);

    engine.enroll(m365.signIn(alice, Set.of(Resource.EVENTS)));
    engine.runCycle();
    assertThat(state(engine, id).status()).isEqualTo(MailboxStatus.ACTIVE);
    assertThat(state(engine, id).mode()).isEqualTo(AuthMode.DELEGATED);
    assertThat(crmEvents.items(id)).extracting(CalendarEvent::subject).containsExactly("Kick-off");

    m365.clock().advance(Duration.ofDays(91));
    engine.runCycle();
    assertThat(state(engine, id).status()).isEqualTo(MailboxStatus.NEEDS_SIGN_IN);
    assertThat(state(engine, id).reasonCode()).isEqualTo("AADSTS700082");

    m365.grantApplicationPermissions(Resource.EVENTS);
    engine.setApplicationPermissionEnabled(m365.tenantId(), true);
    engine.runCycle();
    assertThat(state(engine, id).status()).isEqualTo(MailboxStatus.ACTIVE);
    assertThat(state(engine, id).mode()).isEqualTo(AuthMode.APPLICATION);
    assertThat(m365.cloud().log().requestsAbout(alice.objectId())).isPositive();
  }

  @Test
  void theReadyBuilderLeavesTheRestToTheTest() {
    FakeMicrosoft365 m365 = FakeMicrosoft365.create();
    SyncEngine.Builder builder = m365.engineBuilder();
    // a test may still choose its own store, executor and options; the fakes are set once
    builder.stateStore(SyncStateStore.inMemory()).executor(Runnable::run);
    assertThatThrownBy(() -> builder.gateway(m365.gateway()))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("'gateway' was already set");
  }

  private static MailboxState state(SyncEngine engine, MailboxId id) {
    return engine.monitor().mailbox(id).orElseThrow();
  }
}
