package io.m365sync.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.m365sync.Mailbox;
import io.m365sync.MailboxId;
import io.m365sync.Resource;
import io.m365sync.SyncEngine;
import io.m365sync.SyncOptions;
import io.m365sync.TenantId;
import io.m365sync.auth.AccessToken;
import io.m365sync.model.CalendarEvent;
import io.m365sync.model.ResourceType;
import io.m365sync.schedule.SyncScheduler;
import io.m365sync.sync.ResourceSyncers;
import io.m365sync.testkit.FakeMicrosoft365;
import io.m365sync.testkit.InMemoryCrmStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/** Builders and records refuse bad input with messages naming the setting and the value. */
class BadInputTest {
  private final FakeMicrosoft365 m365 = FakeMicrosoft365.create();
  private final InMemoryCrmStore<CalendarEvent> crm = new InMemoryCrmStore<>("event");

  @Test
  void theBuilderNamesWhatIsMissing() {
    assertThatThrownBy(() -> SyncEngine.builder().delegatedTokens(m365.delegatedTokens())
        .resource(ResourceSyncers.oneWay(ResourceType.EVENTS, crm)).build())
        .isInstanceOf(IllegalStateException.class).hasMessage("'gateway' is required.");
    assertThatThrownBy(() -> SyncEngine.builder().gateway(m365.gateway())
        .resource(ResourceSyncers.oneWay(ResourceType.EVENTS, crm)).build())
        .isInstanceOf(IllegalStateException.class).hasMessage("'delegatedTokens' or 'applicationTokens' is required.");
    assertThatThrownBy(() -> SyncEngine.builder().gateway(m365.gateway()).delegatedTokens(m365.delegatedTokens()).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("'resource'");
  }

  @Test
  void theBuilderRefusesDoubleSetsWrongModesAndReuse() {
    Clock first = Clock.systemUTC();
    assertThatThrownBy(() -> SyncEngine.builder().clock(first).clock(m365.clock()))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("'clock' was already set to " + first);
    assertThatThrownBy(() -> SyncEngine.builder().delegatedTokens(m365.applicationTokens()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'delegatedTokens' must be a DELEGATED strategy");
    assertThatThrownBy(() -> SyncEngine.builder().resource(ResourceSyncers.oneWay(ResourceType.EVENTS, crm))
        .resource(ResourceSyncers.oneWay(ResourceType.EVENTS, crm)))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("EVENTS");
    assertThatThrownBy(() -> SyncEngine.builder().gateway(null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'gateway' is required but was null");
    SyncEngine.Builder b = SyncEngine.builder().gateway(m365.gateway()).delegatedTokens(m365.delegatedTokens())
        .resource(ResourceSyncers.oneWay(ResourceType.EVENTS, crm));
    b.build();
    assertThatThrownBy(b::build).isInstanceOf(IllegalStateException.class).hasMessageContaining("already used");
  }

  @Test
  void idsAndRecordsNameTheBadValue() {
    assertThatThrownBy(() -> MailboxId.of("contoso", " "))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'userObjectId'").hasMessageContaining("' '");
    assertThatThrownBy(() -> MailboxId.of("contoso", null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'userObjectId' is required but was null");
    assertThatThrownBy(() -> TenantId.of("conto so"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'tenantId'").hasMessageContaining("conto so");
    assertThatThrownBy(() -> new Mailbox(MailboxId.of("contoso", "u1"), "u1@contoso.com", "crm-1", Instant.EPOCH, Set.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'resources'").hasMessageContaining("contoso/u1");
    assertThatThrownBy(() -> new Mailbox(MailboxId.of("contoso", "u1"), "", "crm-1", Instant.EPOCH, Set.of(Resource.EVENTS)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'userPrincipalName'");
    assertThatThrownBy(() -> CalendarEvent.simple("x", Instant.parse("2026-01-02T00:00:00Z"), Instant.parse("2026-01-01T00:00:00Z")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'end'").hasMessageContaining("2026-01-01T00:00:00Z");
  }

  @Test
  void optionsListEveryProblemAtOnce() {
    Map<String, String> props = Map.of(
        "m365sync.cycleInterval", "-PT5M",
        "m365sync.pageSize", "abc",
        "m365sync.signInNotify", "hourly",
        "m365sync.maxConcurrentMailboxes", "0");
    assertThatThrownBy(() -> SyncOptions.fromProperties(props::get))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'cycleInterval' must be positive but was PT-5M")
        .hasMessageContaining("'m365sync.pageSize' must be a whole number but was 'abc'")
        .hasMessageContaining("'m365sync.signInNotify' must be one of [NONE, ONCE, DAILY, WEEKLY] but was 'hourly'")
        .hasMessageContaining("'maxConcurrentMailboxes' must be at least 1 but was 0");
    SyncOptions ok = SyncOptions.fromProperties(Map.of("m365sync.accessDecisionTtl", "PT2H", "m365sync.signInNotify", "weekly")::get);
    assertThat(ok.accessDecisionTtl()).isEqualTo(Duration.ofHours(2));
    assertThat(ok.signInNotify()).isEqualTo(io.m365sync.SignInNotifyPolicy.WEEKLY);
    assertThatThrownBy(() -> SyncScheduler.inProcess(Executors.newSingleThreadScheduledExecutor(), Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'interval' must be positive but was PT-1S");
  }

  @Test
  void tokensNeverShowTheirValue() {
    AccessToken token = new AccessToken("eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.secret-part.sig", Instant.EPOCH,
        io.m365sync.AuthMode.APPLICATION, Set.of("Mail.ReadWrite"));
    assertThat(token.toString()).doesNotContain("secret-part").contains("<redacted>");
    assertThat(m365.app().secrets().get(0).toString()).doesNotContain(FakeMicrosoft365.CLIENT_SECRET);
  }
}
