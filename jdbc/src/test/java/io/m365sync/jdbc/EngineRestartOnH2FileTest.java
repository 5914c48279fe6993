package io.m365sync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.m365sync.CycleReport;
import io.m365sync.Mailbox;
import io.m365sync.MailboxId;
import io.m365sync.Resource;
import io.m365sync.SyncEngine;
import io.m365sync.model.CalendarEvent;
import io.m365sync.model.Contact;
import io.m365sync.model.ResourceType;
import io.m365sync.sync.ResourceSyncers;
import io.m365sync.testkit.FakeMicrosoft365;
import io.m365sync.testkit.InMemoryCrmStore;
import io.m365sync.testkit.model.ModelUser;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded default end to end: an engine syncs into the CRM with its state in an H2 file, stops,
 * and a new engine on the same file resumes from the saved delta links — no item is fetched or
 * created again.
 */
class EngineRestartOnH2FileTest {
  @TempDir
  Path dir;

  private final FakeMicrosoft365 m365 = FakeMicrosoft365.create();
  private final InMemoryCrmStore<CalendarEvent> crmEvents = new InMemoryCrmStore<>("event");
  private final InMemoryCrmStore<Contact> crmContacts = new InMemoryCrmStore<>("contact");

  private SyncEngine engine(JdbcSyncStateStore store) {
    return SyncEngine.builder()
        .clock(m365.clock())
        .stateStore(store)
        .gateway(m365.gateway())
        .delegatedTokens(m365.delegatedTokens())
        .applicationTokens(m365.applicationTokens())
        .resource(ResourceSyncers.oneWay(ResourceType.EVENTS, crmEvents))
        .resource(ResourceSyncers.oneWay(ResourceType.CONTACTS, crmContacts))
        .build();
  }

  @Test
  void aSecondRunOnTheSameFileResumesWithoutReDownloadsOrDuplicates() {
    ModelUser alice = m365.addUser("alice");
    Instant now = m365.clock().instant();
    for (int i = 1; i <= 3; i++) {
      m365.mailbox(alice).calendar().create(CalendarEvent.simple("meeting " + i,
          now.plus(Duration.ofDays(i)), now.plus(Duration.ofDays(i)).plus(Duration.ofHours(1))));
    }
    m365.mailbox(alice).contacts().create(Contact.of("Ada", "Lovelace", "ada@example.com"));
    MailboxId id = m365.mailboxId(alice);
    Path file = dir.resolve("m365sync");

    try (JdbcSyncStateStore store = JdbcSyncStateStore.h2File(file); SyncEngine first = engine(store)) {
      Mailbox mailbox = m365.signIn(alice, EnumSet.of(Resource.EVENTS, Resource.CONTACTS));
      first.enroll(mailbox);
      CycleReport report = first.runCycle();
      assertThat(report.mailbox(id).applied()).isEqualTo(4);
    }
    long createsBefore = crmEvents.creates() + crmContacts.creates();

    m365.mailbox(alice).calendar().create(CalendarEvent.simple("while stopped",
        now.plus(Duration.ofDays(9)), now.plus(Duration.ofDays(9)).plus(Duration.ofHours(1))));
    m365.clock().advance(Duration.ofMinutes(10));

    try (JdbcSyncStateStore store = JdbcSyncStateStore.h2File(file); SyncEngine second = engine(store)) {
      assertThat(store.enrollments()).extracting(Mailbox::id).containsExactly(id);
      CycleReport report = second.runCycle(); // no enroll: the enrollment survived the restart

      assertThat(report.mailbox(id).applied()).as("only the change made while stopped").isEqualTo(1);
      assertThat(crmEvents.creates() + crmContacts.creates()).isEqualTo(createsBefore + 1);
      assertThat(crmEvents.items(id)).hasSize(4);
      assertThat(crmEvents.duplicates(id)).isZero();
      assertThat(crmContacts.duplicates(id)).isZero();
      assertThat(store.links(id, Resource.EVENTS)).hasSize(4);
      assertThat(store.runs(id, 10)).hasSize(2);
    }
  }
}
