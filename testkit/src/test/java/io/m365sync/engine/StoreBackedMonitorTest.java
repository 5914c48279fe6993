package io.m365sync.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.m365sync.AuthMode;
import io.m365sync.Mailbox;
import io.m365sync.MailboxId;
import io.m365sync.Resource;
import io.m365sync.SyncEngine;
import io.m365sync.SyncMonitor;
import io.m365sync.TenantId;
import io.m365sync.model.Contact;
import io.m365sync.model.ResourceType;
import io.m365sync.notify.Subscription;
import io.m365sync.state.AccessRecord;
import io.m365sync.state.EnrollmentPeriod;
import io.m365sync.state.CursorKey;
import io.m365sync.state.IdLink;
import io.m365sync.state.MailboxState;
import io.m365sync.state.MailboxStatus;
import io.m365sync.state.RunRecord;
import io.m365sync.state.StatusCount;
import io.m365sync.state.StatusPage;
import io.m365sync.state.StatusQuery;
import io.m365sync.state.SyncStateStore;
import io.m365sync.state.TenantSettings;
import io.m365sync.state.UnreadableRow;
import io.m365sync.sync.ResourceSyncers;
import io.m365sync.testkit.ForwardingSyncStateStore;
import io.m365sync.testkit.FakeMicrosoft365;
import io.m365sync.testkit.InMemoryCrmStore;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The monitor asks the store for counts and pages; it never reads every status row to filter them. */
class StoreBackedMonitorTest {
  private static final Instant T0 = Instant.parse("2026-01-05T09:00:00Z");
  private static final TenantId CONTOSO = TenantId.of("contoso");
  private static final TenantId FABRIKAM = TenantId.of("fabrikam");

  private final RecordingStatusReads store = new RecordingStatusReads();
  private final SyncMonitor monitor = engine(store).monitor();

  private static SyncEngine engine(SyncStateStore store) {
    FakeMicrosoft365 m365 = FakeMicrosoft365.create();
    return SyncEngine.builder().clock(m365.clock()).stateStore(store).gateway(m365.gateway())
        .delegatedTokens(m365.delegatedTokens())
        .resource(ResourceSyncers.oneWay(ResourceType.CONTACTS, new InMemoryCrmStore<Contact>("contact"))).build();
  }

  private void put(TenantId tenant, String oid, MailboxStatus status) {
    store.putStatus(MailboxState.pending(new MailboxId(tenant, oid), T0)
        .withStatus(status, AuthMode.DELEGATED, null, null, T0, null));
  }

  @Test
  void countsFilteredListsAndPagesComeFromTheStoresQueries() {
    put(FABRIKAM, "oid-1", MailboxStatus.NEEDS_SIGN_IN);
    put(CONTOSO, "oid-2", MailboxStatus.NEEDS_SIGN_IN);
    put(CONTOSO, "oid-1", MailboxStatus.THROTTLED);
    put(CONTOSO, "oid-3", MailboxStatus.ACTIVE);

    assertThat(monitor.counts()).containsExactlyInAnyOrder(new StatusCount(FABRIKAM, MailboxStatus.NEEDS_SIGN_IN, 1),
        new StatusCount(CONTOSO, MailboxStatus.NEEDS_SIGN_IN, 1), new StatusCount(CONTOSO, MailboxStatus.THROTTLED, 1),
        new StatusCount(CONTOSO, MailboxStatus.ACTIVE, 1));
    assertThat(monitor.counts(FABRIKAM)).containsExactly(new StatusCount(FABRIKAM, MailboxStatus.NEEDS_SIGN_IN, 1));
    assertThat(monitor.countsByStatus()).isEqualTo(Map.of(MailboxStatus.NEEDS_SIGN_IN, 2L,
        MailboxStatus.THROTTLED, 1L, MailboxStatus.ACTIVE, 1L));
    // lists come in mailbox-key order now, whatever order the statuses were written in
    assertThat(monitor.needingSignIn()).extracting(s -> s.mailbox().key())
        .containsExactly("contoso/oid-2", "fabrikam/oid-1");
    assertThat(monitor.failing()).extracting(s -> s.mailbox().key()).containsExactly("contoso/oid-1");
    assertThat(monitor.neverSynced()).hasSize(4);

    StatusPage first = monitor.page(StatusQuery.withStatus(Set.of(MailboxStatus.NEEDS_SIGN_IN), 1));
    assertThat(first.items()).extracting(s -> s.mailbox().key()).containsExactly("contoso/oid-2");
    assertThat(monitor.page(StatusQuery.withStatus(Set.of(MailboxStatus.NEEDS_SIGN_IN), 1).after(first.next())).items())
        .extracting(s -> s.mailbox().key()).containsExactly("fabrikam/oid-1");

    assertThat(store.everyStatusRead.get()).as("calls reading every status row").isZero();
    assertThat(store.countsAndPages.get()).isPositive();
  }

  @Test
  void filteredListsLongerThanAPageAreWalkedToTheEnd() {
    for (int i = 0; i < StatusQuery.MAX_LIMIT + 5; i++) {
      put(CONTOSO, String.format("oid-%05d", i), MailboxStatus.DENIED_BY_POLICY);
    }
    put(CONTOSO, "oid-x", MailboxStatus.ACTIVE);
    List<MailboxState> denied = monitor.deniedByPolicy();
    assertThat(denied).hasSize(StatusQuery.MAX_LIMIT + 5).doesNotHaveDuplicates();
    assertThat(store.countsAndPages.get()).isEqualTo(2);
  }

  /** An in-memory store that counts how often every status row is read and how often it is asked to count or page. */
  private static final class RecordingStatusReads extends ForwardingSyncStateStore {
    final AtomicInteger everyStatusRead = new AtomicInteger();
    final AtomicInteger countsAndPages = new AtomicInteger();

    RecordingStatusReads() {
      super(SyncStateStore.inMemory());
    }


    @Override
    public List<MailboxState> statuses(Consumer<UnreadableRow> onUnreadable) {
      everyStatusRead.incrementAndGet();
      return delegate.statuses(onUnreadable);
    }

    @Override
    public List<StatusCount> statusCounts(TenantId tenant, Consumer<UnreadableRow> onUnreadable) {
      countsAndPages.incrementAndGet();
      return delegate.statusCounts(tenant, onUnreadable);
    }

    @Override
    public StatusPage statusPage(StatusQuery query, Consumer<UnreadableRow> onUnreadable) {
      countsAndPages.incrementAndGet();
      return delegate.statusPage(query, onUnreadable);
    }
  }
}
