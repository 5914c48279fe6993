package io.m365sync.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.m365sync.Mailbox;
import io.m365sync.Resource;
import io.m365sync.SyncEngine;
import io.m365sync.model.CalendarEvent;
import io.m365sync.model.Contact;
import io.m365sync.model.ResourceType;
import io.m365sync.sync.ResourceSyncers;
import io.m365sync.sync.TwoWayOptions;
import io.m365sync.testkit.FakeMicrosoft365;
import io.m365sync.testkit.InMemoryCrmStore;
import io.m365sync.testkit.model.ItemCollection;
import io.m365sync.testkit.model.ModelUser;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A host that wants no history: the first round starts from now, and only later changes reach the CRM. */
class StartFromNowTest {
  private final FakeMicrosoft365 m365 = FakeMicrosoft365.create();
  private final ModelUser user = m365.addUser("amy");
  private final InMemoryCrmStore<Contact> contacts = new InMemoryCrmStore<>("contact");
  private final InMemoryCrmStore<CalendarEvent> events = new InMemoryCrmStore<>("event");

  private SyncEngine engine() {
    return SyncEngine.builder().clock(m365.clock()).gateway(m365.gateway()).delegatedTokens(m365.delegatedTokens())
        .resource(ResourceSyncers.twoWay(ResourceType.CONTACTS, contacts,
            TwoWayOptions.<Contact>builder().startFromNow(true).build()))
        .resource(ResourceSyncers.twoWay(ResourceType.EVENTS, events,
            TwoWayOptions.<CalendarEvent>builder().startFromNow(true).build()))
        .build();
  }

  @Test
  void theFirstRoundBringsNoHistoryAndLaterChangesArrive() {
    ItemCollection<Contact> folder = m365.mailbox(user).contacts();
    ItemCollection<CalendarEvent> calendar = m365.mailbox(user).calendar();
    String old = folder.create(Contact.of("Old", "Friend", "old@example.org")).id();
    Instant start = m365.clock().instant().plus(Duration.ofDays(1));
    calendar.create(CalendarEvent.simple("Old meeting", start, start.plus(Duration.ofHours(1))));
    SyncEngine engine = engine();
    Mailbox mailbox = m365.signIn(user, Set.of(Resource.CONTACTS, Resource.EVENTS));
    engine.enroll(mailbox);

    engine.runCycle();
    assertThat(contacts.list(mailbox.id())).as("no history").isEmpty();
    assertThat(events.list(mailbox.id())).isEmpty();

    folder.create(Contact.of("New", "Client", "new@example.org"));
    folder.update(old, null, Contact.of("Old", "Friend (edited)", "old@example.org"));
    calendar.create(CalendarEvent.simple("New meeting", start.plus(Duration.ofDays(1)), start.plus(Duration.ofDays(1))
        .plus(Duration.ofHours(1))));
    m365.clock().advance(Duration.ofMinutes(10));
    engine.runCycle();
    assertThat(contacts.items(mailbox.id())).extracting(Contact::surname)
        .containsExactlyInAnyOrder("Client", "Friend (edited)");
    assertThat(events.items(mailbox.id())).extracting(CalendarEvent::subject).containsExactly("New meeting");

    m365.clock().advance(Duration.ofMinutes(10));
    engine.runCycle();
    assertThat(contacts.list(mailbox.id())).hasSize(2);
    assertThat(events.list(mailbox.id())).as("the window did not slide: still no history").hasSize(1);
  }
}
