package io.m365sync.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.m365sync.AuthMode;
import io.m365sync.Mailbox;
import io.m365sync.Resource;
import io.m365sync.auth.AccessToken;
import io.m365sync.gateway.AccessDeniedByPolicyException;
import io.m365sync.gateway.DeltaPage;
import io.m365sync.gateway.DeltaRequest;
import io.m365sync.gateway.ItemNotFoundException;
import io.m365sync.gateway.ItemPatch;
import io.m365sync.gateway.MailboxSession;
import io.m365sync.gateway.MailboxUnavailableException;
import io.m365sync.gateway.PreconditionFailedException;
import io.m365sync.gateway.RemoteUnavailableException;
import io.m365sync.gateway.SyncStateExpiredException;
import io.m365sync.gateway.ThrottledException;
import io.m365sync.gateway.TokenRejectedException;
import io.m365sync.gateway.WriteResult;
import io.m365sync.model.CalendarEvent;
import io.m365sync.model.Contact;
import io.m365sync.model.ResourceType;
import io.m365sync.testkit.model.FaultRule;
import io.m365sync.testkit.model.GraphError;
import io.m365sync.testkit.model.ModelUser;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

@Order(2)
class GatewayErrorsTest {
  private final EmulatorFixture fx = new EmulatorFixture();
  private ModelUser user;
  private Mailbox mailbox;
  private MailboxSession session;

  @BeforeEach
  void setUp() {
    fx.grantApplication(Resource.values());
    user = fx.tenant.addUser("amy");
    mailbox = fx.mailbox(user);
    session = fx.appSession(mailbox);
  }

  @AfterEach
  void close() {
    fx.close();
  }

  private DeltaPage<Contact> contacts() {
    return fx.gateway.delta(session, ResourceType.CONTACTS, new DeltaRequest(null, null, null, null, 50));
  }

  private void fail(GraphError error) {
    fx.tenant.addFault(FaultRule.fail("contacts", user.objectId(), 1, error));
  }

  @Test
  void eventsRoundTripInUtcKeepingTheOriginalZone() {
    Instant start = Instant.parse("2026-01-07T17:00:00Z");
    CalendarEvent e = new CalendarEvent("Pacific sync", "agenda", start, start.plus(Duration.ofHours(1)),
        "Pacific Standard Time", false, "Room 1", null, List.of(), null, null, null, null, java.util.Map.of());
    WriteResult w = fx.gateway.create(session, ResourceType.EVENTS, null, e);
    DeltaPage<CalendarEvent> page = fx.gateway.delta(session, ResourceType.EVENTS, new DeltaRequest(null, null,
        start.minus(Duration.ofDays(1)), start.plus(Duration.ofDays(1)), 50));
    assertThat(page.more()).isFalse();
    assertThat(page.changes()).singleElement().satisfies(c -> {
      assertThat(c.remoteId()).isEqualTo(w.remoteId());
      assertThat(c.item().start()).isEqualTo(start);
      assertThat(c.item().originalTimeZone()).isEqualTo("Pacific Standard Time");
      assertThat(c.item().subject()).isEqualTo("Pacific sync");
      assertThat(c.item().location()).isEqualTo("Room 1");
    });
    WriteResult updated = fx.gateway.update(session, ResourceType.EVENTS, null, w.remoteId(), w.changeKey(), ItemPatch.full(e.withSubject("Moved")));
    assertThat(updated.changeKey()).isNotEqualTo(w.changeKey());
    DeltaPage<CalendarEvent> next = fx.gateway.delta(session, ResourceType.EVENTS, new DeltaRequest(null, page.cursor(), null, null, 50));
    assertThat(next.changes()).singleElement().satisfies(c -> assertThat(c.item().subject()).isEqualTo("Moved"));
    fx.gateway.delete(session, ResourceType.EVENTS, null, w.remoteId(), updated.changeKey());
    assertThat(fx.gateway.delta(session, ResourceType.EVENTS, new DeltaRequest(null, next.cursor(), null, null, 50)).changes())
        .singleElement().satisfies(c -> assertThat(c.kind()).isEqualTo(io.m365sync.gateway.Change.Kind.DELETE));
    assertThat(fx.emulator.recordedRequests()).allSatisfy(r -> {
      if (r.path().startsWith("/v1.0")) {
        assertThat(r.header("Prefer")).contains("IdType=\"ImmutableId\"");
      }
    });
  }

  @Test
  void oneEventIsReadByIdWhereverItLiesAndA404IsEmpty() {
    Instant start = fx.clock.instant().plus(Duration.ofDays(900)); // far outside any calendar window
    WriteResult w = fx.gateway.create(session, ResourceType.EVENTS, null,
        CalendarEvent.simple("Offsite", start, start.plus(Duration.ofHours(2))));
    assertThat(fx.gateway.get(session, ResourceType.EVENTS, null, w.remoteId()))
        .hasValueSatisfying(e -> assertThat(e.start()).isEqualTo(start));
    fx.tenant.mailbox(user).calendar().delete(w.remoteId(), null);
    assertThat(fx.gateway.get(session, ResourceType.EVENTS, null, w.remoteId())).isEmpty();
  }

  @Test
  void mailboxSettingsAreASnapshotPageWithAContentHashCursor() {
    var first = fx.gateway.delta(session, ResourceType.MAILBOX_SETTINGS, new DeltaRequest(null, null, null, null, 1));
    assertThat(first.changes()).hasSize(1);
    assertThat(first.changes().get(0).item().timeZone()).isNotBlank();
    var again = fx.gateway.delta(session, ResourceType.MAILBOX_SETTINGS, new DeltaRequest(null, first.cursor(), null, null, 1));
    assertThat(again.changes()).isEmpty();
    assertThat(again.cursor()).isEqualTo(first.cursor());
  }

  @Test
  void throttled429CarriesRetryAfter() {
    fail(GraphError.throttled(Duration.ofSeconds(30)));
    assertThatThrownBy(this::contacts).isInstanceOfSatisfying(ThrottledException.class,
        e -> assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(30)));
  }

  @Test
  void unavailable503WithRetryAfterIsThrottled() {
    fail(new GraphError(503, "ServiceUnavailable", "Service Unavailable", Duration.ofSeconds(7)));
    assertThatThrownBy(this::contacts).isInstanceOfSatisfying(ThrottledException.class,
        e -> assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(7)));
  }

  @Test
  void unavailable503WithoutRetryAfterIsRemoteUnavailable() {
    fail(new GraphError(503, "ServiceUnavailable", "Service Unavailable"));
    assertThatThrownBy(this::contacts).isInstanceOf(RemoteUnavailableException.class);
  }

  @Test
  void gone410SyncStateNotFoundIsSyncStateExpired() {
    DeltaPage<Contact> page = contacts();
    fx.tenant.mailbox(user).contacts().evictDeltaTokens();
    assertThatThrownBy(() -> fx.gateway.delta(session, ResourceType.CONTACTS, new DeltaRequest(null, page.cursor(), null, null, 50)))
        .isInstanceOfSatisfying(SyncStateExpiredException.class, e -> assertThat(e.status()).isEqualTo(410));
  }

  @Test
  void lowerCaseResyncRequiredIsSyncStateExpired() {
    fail(new GraphError(400, "resyncRequired", "The delta token is no longer valid."));
    assertThatThrownBy(this::contacts).isInstanceOf(SyncStateExpiredException.class);
  }

  @Test
  void accessToODataDisabledIsAccessDeniedByPolicy() {
    fail(GraphError.accessDeniedByPolicy());
    assertThatThrownBy(this::contacts).isInstanceOfSatisfying(AccessDeniedByPolicyException.class,
        e -> assertThat(e.code()).isEqualTo("ErrorAccessDenied"));
  }

  @Test
  void extensionErrorWrappingAccessToODataDisabledIsAccessDeniedByPolicy() {
    fail(new GraphError(403, "ExtensionError",
        "Operation: Create; Exception: [Status Code: Forbidden; Reason: Access to OData is disabled.]"));
    assertThatThrownBy(this::contacts).isInstanceOf(AccessDeniedByPolicyException.class);
  }

  @Test
  void mailboxNotEnabledForRestIsMailboxUnavailable() {
    user.licensed(false);
    assertThatThrownBy(this::contacts).isInstanceOf(MailboxUnavailableException.class);
  }

  @Test
  void errorItemNotFoundIsItemNotFound() {
    assertThatThrownBy(() -> fx.gateway.delete(session, ResourceType.CONTACTS, null, "AAMkdoesnotexist/x+y=", null))
        .isInstanceOf(ItemNotFoundException.class);
  }

  @Test
  void preconditionFailed412OnAStaleIfMatch() {
    WriteResult w = fx.gateway.create(session, ResourceType.CONTACTS, null, Contact.of("Ann", "Lee", "ann@example.com"));
    fx.gateway.update(session, ResourceType.CONTACTS, null, w.remoteId(), w.changeKey(), ItemPatch.full(Contact.of("Ann", "Lee", "ann@example.org")));
    assertThatThrownBy(() -> fx.gateway.update(session, ResourceType.CONTACTS, null, w.remoteId(), w.changeKey(),
        ItemPatch.full(Contact.of("Ann", "Lee", "ann@example.net")))).isInstanceOf(PreconditionFailedException.class);
  }

  @Test
  void unauthorized401IsTokenRejected() {
    MailboxSession bad = new MailboxSession(mailbox, new AccessToken("not.a-valid.token", Instant.now().plusSeconds(3600),
        AuthMode.APPLICATION, Set.of()));
    assertThatThrownBy(() -> fx.gateway.delta(bad, ResourceType.CONTACTS, new DeltaRequest(null, null, null, null, 5)))
        .isInstanceOf(TokenRejectedException.class);
  }
}
