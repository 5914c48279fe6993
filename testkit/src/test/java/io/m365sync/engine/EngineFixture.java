package io.m365sync.engine;

import io.m365sync.CycleReport;
import io.m365sync.Mailbox;
import io.m365sync.MailboxId;
import io.m365sync.Resource;
import io.m365sync.SyncEngine;
import io.m365sync.SyncOptions;
import io.m365sync.model.CalendarEvent;
import io.m365sync.model.Contact;
import io.m365sync.model.MailMessage;
import io.m365sync.model.ResourceType;
import io.m365sync.state.MailboxStatus;
import io.m365sync.sync.ResourceSyncers;
import io.m365sync.testkit.FakeMicrosoft365;
import io.m365sync.testkit.InMemoryCrmStore;
import io.m365sync.testkit.RecordingSyncListener;
import io.m365sync.testkit.model.ModelUser;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** A Contoso tenant with users holding data, a CRM and an engine wired to the fakes. */
final class EngineFixture {
  static final Set<Resource> EVENTS_AND_CONTACTS = EnumSet.of(Resource.EVENTS, Resource.CONTACTS);

  final FakeMicrosoft365 m365;
  final InMemoryCrmStore<CalendarEvent> crmEvents = new InMemoryCrmStore<>("event");
  final InMemoryCrmStore<Contact> crmContacts = new InMemoryCrmStore<>("contact");
  final InMemoryCrmStore<MailMessage> crmMail = new InMemoryCrmStore<>("mail");
  final RecordingSyncListener listener = new RecordingSyncListener();
  final Map<String, ModelUser> users = new LinkedHashMap<>();
  final Map<String, Mailbox> mailboxes = new LinkedHashMap<>();
  SyncEngine engine;

  EngineFixture(FakeMicrosoft365 m365) {
    this.m365 = m365;
  }

  static EngineFixture standard() {
    return new EngineFixture(FakeMicrosoft365.create());
  }

  /** A user with 3 events and 2 contacts (and one message) in their mailbox. */
  ModelUser user(String alias) {
    ModelUser u = m365.addUser(alias);
    Instant now = m365.clock().instant();
    for (int i = 1; i <= 3; i++) {
      m365.mailbox(u).calendar().create(CalendarEvent.simple(alias + " meeting " + i,
          now.plus(Duration.ofDays(i)), now.plus(Duration.ofDays(i)).plus(Duration.ofHours(1))));
    }
    m365.mailbox(u).contacts().create(Contact.of("Ada", "Lovelace", "ada." + alias + "@example.com"));
    m365.mailbox(u).contacts().create(Contact.of("Alan", "Turing", "alan." + alias + "@example.com"));
    m365.mailbox(u).mail(null).create(MailMessage.of("Offer for " + alias, "buyer@example.com", u.userPrincipalName(),
        now, "<offer-" + alias + "@example.com>"));
    users.put(alias, u);
    return u;
  }

  Mailbox signIn(String alias, Set<Resource> resources) {
    Mailbox m = m365.signIn(users.get(alias), resources);
    mailboxes.put(alias, m);
    engine.enroll(m);
    return m;
  }

  SyncEngine build(SyncOptions options, boolean withMail) {
    SyncEngine.Builder b = SyncEngine.builder()
        .clock(m365.clock())
        .gateway(m365.gateway())
        .delegatedTokens(m365.delegatedTokens())
        .applicationTokens(m365.applicationTokens())
        .resource(ResourceSyncers.oneWay(ResourceType.EVENTS, crmEvents))
        .resource(ResourceSyncers.oneWay(ResourceType.CONTACTS, crmContacts))
        .listener(listener)
        .options(options);
    if (withMail) {
      b.resource(ResourceSyncers.oneWay(ResourceType.MAIL, crmMail));
    }
    engine = b.build();
    return engine;
  }

  SyncEngine build() {
    return build(SyncOptions.defaults(), false);
  }

  MailboxId id(String alias) {
    return m365.mailboxId(users.get(alias));
  }

  String oid(String alias) {
    return users.get(alias).objectId();
  }

  MailboxStatus status(String alias) {
    return engine.monitor().mailbox(id(alias)).orElseThrow().status();
  }

  CycleReport cycleAfter(Duration elapsed) {
    m365.clock().advance(elapsed);
    return engine.runCycle();
  }

  long refreshRequests(String alias) {
    return m365.cloud().log().refreshRequests(oid(alias));
  }

  long graphRequests(String alias) {
    return m365.cloud().log().graphRequests(oid(alias));
  }

  long appTokenRequests() {
    return m365.cloud().log().tokenRequests("client_credentials");
  }
}
