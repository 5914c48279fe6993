package io.m365sync.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.m365sync.Resource;
import io.m365sync.gateway.DeltaPage;
import io.m365sync.gateway.DeltaRequest;
import io.m365sync.gateway.ItemPatch;
import io.m365sync.gateway.MailboxSession;
import io.m365sync.gateway.RemoteUnavailableException;
import io.m365sync.gateway.ThrottledException;
import io.m365sync.gateway.WriteResult;
import io.m365sync.model.Contact;
import io.m365sync.model.MailboxSettings;
import io.m365sync.model.ResourceType;
import io.m365sync.testkit.emulator.EmulatorRequest;
import io.m365sync.testkit.model.FaultRule;
import io.m365sync.testkit.model.GraphError;
import io.m365sync.testkit.model.ModelUser;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Graph gateway against an emulator as strict and as messy as Graph: it copes with each of Graph's habits. */
class GatewayOverStrictGraphTest {
  private final EmulatorFixture fx = new EmulatorFixture();
  private ModelUser user;
  private MailboxSession session;

  @BeforeEach
  void setUp() {
    fx.grantApplication(Resource.values());
    user = fx.tenant.addUser("amy");
    session = fx.appSession(fx.mailbox(user));
  }

  @AfterEach
  void close() {
    fx.close();
  }

  private DeltaPage<Contact> contacts(String cursor) {
    return fx.gateway.delta(session, ResourceType.CONTACTS, new DeltaRequest(null, cursor, null, null, 2));
  }

  @Test
  void deltaFollowsTheKeyFormLinksGraphReturnsAndSkipsTheirODataType() {
    for (int i = 0; i < 5; i++) {
      fx.tenant.mailbox(user).contacts().create(Contact.of("Ada" + i, "King", "ada" + i + "@example.com"));
    }
    List<String> names = new ArrayList<>();
    DeltaPage<Contact> page = contacts(null);
    page.changes().forEach(c -> names.add(c.item().givenName()));
    while (page.more()) {
      page = contacts(page.cursor());
      page.changes().forEach(c -> names.add(c.item().givenName()));
    }
    assertThat(names).containsExactlyInAnyOrder("Ada0", "Ada1", "Ada2", "Ada3", "Ada4");
    assertThat(fx.emulator.recordedRequests()).map(EmulatorRequest::path)
        .anySatisfy(p -> assertThat(p).contains("/users('"));
    assertThat(fx.emulator.internalErrors()).isEmpty();
  }

  @Test
  void aFractionalRetryAfterIsHonouredToTheMillisecond() {
    fx.tenant.addFault(FaultRule.fail("contacts", user.objectId(), 1, GraphError.throttled(Duration.ofMillis(2500))));
    assertThatThrownBy(() -> contacts(null)).isInstanceOfSatisfying(ThrottledException.class,
        e -> assertThat(e.retryAfter()).isEqualTo(Duration.ofMillis(2500)));
  }

  @Test
  void aSettingsWriteAnsweredWithThePatchedPartOnlyStillYieldsTheNextPollsChangeKey() {
    MailboxSettings now = fx.gateway.delta(session, ResourceType.MAILBOX_SETTINGS, new DeltaRequest(null, null, null, null, 1))
        .changes().get(0).item();
    MailboxSettings away = new MailboxSettings(now.timeZone(), now.workingHours(),
        new MailboxSettings.AutomaticReplies("alwaysEnabled", "away", "away"), Map.of());
    WriteResult w = fx.gateway.update(session, ResourceType.MAILBOX_SETTINGS, null, "mailboxSettings", null,
        new ItemPatch<>(away, Set.of("automaticReplies"), Set.of()));
    DeltaPage<MailboxSettings> next = fx.gateway.delta(session, ResourceType.MAILBOX_SETTINGS,
        new DeltaRequest(null, null, null, null, 1));
    assertThat(w.changeKey()).as("our own write is recognised as ours").isEqualTo(next.cursor());
    assertThat(next.changes().get(0).item().automaticReplies().status()).isEqualTo("alwaysEnabled");
  }

  @Test
  void a5xxWithAnHtmlOrEmptyBodyIsRemoteUnavailable() {
    fx.tenant.addFault(FaultRule.failWithRawBody("contacts", user.objectId(), 1, 502, "text/html",
        "<html><body><h1>502 Bad Gateway</h1></body></html>"));
    assertThatThrownBy(() -> contacts(null)).isInstanceOf(RemoteUnavailableException.class);
    fx.tenant.addFault(FaultRule.failWithRawBody("contacts", user.objectId(), 1, 503, null, ""));
    assertThatThrownBy(() -> contacts(null)).isInstanceOf(RemoteUnavailableException.class);
    assertThat(contacts(null).changes()).isEmpty();
  }
}
