package io.m365sync.graph;

import static org.assertj.core.api.Assertions.assertThat;

import io.m365sync.CycleReport;
import io.m365sync.Mailbox;
import io.m365sync.MailboxSyncReport;
import io.m365sync.Resource;
import io.m365sync.SyncEngine;
import io.m365sync.model.CalendarEvent;
import io.m365sync.model.Contact;
import io.m365sync.model.ResourceType;
import io.m365sync.state.MailboxStatus;
import io.m365sync.sync.ResourceSyncers;
import io.m365sync.testkit.InMemoryCrmStore;
import io.m365sync.testkit.emulator.EmulatorRequest;
import io.m365sync.testkit.model.ModelUser;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * The idle cycle over HTTP with the real Graph SDK gateway: 200 app-mode mailboxes × 2 resources
 * (400 polled mailbox-resources) cost at most 0.05 {@code $batch} round trips each, no other Graph
 * request and no token request; a change is then read by its mailbox's round alone.
 */
@Order(4)
class IdleProbeOverHttpTest {
  private static final int MAILBOXES = 200;
  private final EmulatorFixture fx = new EmulatorFixture();
  private final ExecutorService pool = Executors.newFixedThreadPool(4);
  private final InMemoryCrmStore<CalendarEvent> events = new InMemoryCrmStore<>("evt");
  private final InMemoryCrmStore<Contact> contacts = new InMemoryCrmStore<>("con");

  @AfterEach
  void close() {
    pool.shutdownNow();
    fx.close();
  }

  @Test
  void anIdleCycleIsAtMostOneBatchPerTwentyMailboxResourcesAndNoTokenRequest() {
    SyncEngine engine = SyncEngine.builder().clock(fx.clock).executor(pool).stateStore(fx.store).gateway(fx.gateway)
        .delegatedTokens(fx.delegated).applicationTokens(fx.application)
        .resource(ResourceSyncers.oneWay(ResourceType.EVENTS, events))
        .resource(ResourceSyncers.oneWay(ResourceType.CONTACTS, contacts)).build();
    fx.grantApplication(Resource.EVENTS, Resource.CONTACTS);
    engine.setApplicationPermissionEnabled(fx.tenantId(), true);
    Instant start = fx.clock.instant().plus(Duration.ofDays(2));
    List<ModelUser> users = new ArrayList<>();
    List<Mailbox> mailboxes = new ArrayList<>();
    for (int i = 0; i < MAILBOXES; i++) {
      ModelUser u = fx.tenant.addUser("user" + i);
      users.add(u);
      fx.tenant.mailbox(u).calendar().create(CalendarEvent.simple("m" + i, start, start.plus(Duration.ofHours(1))));
      fx.tenant.mailbox(u).contacts().create(Contact.of("Ada", "Lovelace", "ada" + i + "@example.com"));
      Mailbox m = fx.mailbox(u, Resource.EVENTS, Resource.CONTACTS);
      mailboxes.add(m);
      engine.enroll(m);
    }
    assertThat(engine.runCycle().countByStatus()).containsEntry(MailboxStatus.ACTIVE, MAILBOXES);

    fx.clock.advance(Duration.ofMinutes(5));
    fx.emulator.clearRecordedRequests();
    CycleReport idle = engine.runCycle();

    List<EmulatorRequest> sent = fx.emulator.recordedRequests();
    long batches = sent.stream().filter(r -> r.path().endsWith("/$batch")).count();
    assertThat(batches / (double) (2 * MAILBOXES)).as("$batch round trips per polled mailbox-resource")
        .isLessThanOrEqualTo(0.05);
    assertThat(sent).as("nothing but the batches: no round, no token request").hasSize((int) batches);
    assertThat(idle.mailboxes()).noneMatch(MailboxSyncReport::ran);

    fx.tenant.mailbox(users.get(7)).contacts().create(Contact.of("Grace", "Hopper", "grace@example.com"));
    fx.clock.advance(Duration.ofMinutes(5));
    CycleReport changed = engine.runCycle();
    assertThat(changed.mailboxes()).filteredOn(MailboxSyncReport::ran).extracting(MailboxSyncReport::mailbox)
        .containsExactly(mailboxes.get(7).id());
    assertThat(contacts.list(mailboxes.get(7).id())).hasSize(2);
  }
}
