package io.m365sync.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.m365sync.Mailbox;
import io.m365sync.Purpose;
import io.m365sync.Resource;
import io.m365sync.gateway.MailboxSession;
import io.m365sync.model.CalendarEvent;
import io.m365sync.model.ResourceType;
import io.m365sync.testkit.model.ModelUser;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The fake gateway's single-item read behaves as the Graph adapter's does over the emulator. */
class FakeMailboxGatewayTest {

  @Test
  void oneEventIsReadByIdWhereverItLiesAndA404IsEmpty() {
    FakeMicrosoft365 m365 = FakeMicrosoft365.create();
    ModelUser user = m365.addUser("amy");
    Mailbox mailbox = m365.signIn(user, Set.of(Resource.EVENTS));
    MailboxSession session = new MailboxSession(mailbox, m365.delegatedTokens().acquire(mailbox, Purpose.BACKGROUND_SYNC));
    Instant start = m365.clock().instant().plus(Duration.ofDays(900)); // far outside any calendar window
    String id = m365.mailbox(user).calendar().create(CalendarEvent.simple("Offsite", start, start.plus(Duration.ofHours(2)))).id();

    assertThat(m365.gateway().get(session, ResourceType.EVENTS, id))
        .hasValueSatisfying(e -> assertThat(e.start()).isEqualTo(start));
    m365.mailbox(user).calendar().delete(id, null);
    assertThat(m365.gateway().get(session, ResourceType.EVENTS, id)).isEmpty();
    assertThat(m365.cloud().log().graphRequests(user.objectId())).isEqualTo(2);
  }
}
