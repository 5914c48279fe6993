package io.m365sync.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.m365sync.AuthMode;
import io.m365sync.MailboxId;
import io.m365sync.Resource;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class NotificationReceiverTest {
  private static final Instant NOW = Instant.parse("2026-03-01T10:00:00Z");
  private static final String PATH = "/hooks/graph";
  private static final MailboxId ALICE = MailboxId.of("contoso", "alice-oid");
  private static final String SECRET = "s3cret-client-state";

  private final Map<String, Subscription> stored = new HashMap<>();
  private final List<ChangeSignal> queued = new ArrayList<>();
  private final List<IgnoredNotification> ignored = new ArrayList<>();
  private final NotificationReceiver receiver = NotificationReceiver.builder()
      .path(PATH)
      .subscriptions(id -> Optional.ofNullable(stored.get(id)))
      .sink(queued::add)
      .onIgnored(ignored::add)
      .clock(Clock.fixed(NOW, ZoneOffset.UTC))
      .maxBodyBytes(2_000)
      .build();

  private Subscription subscribe(String id, Resource resource, String container, Instant expiresAt) {
    Subscription s = new Subscription(id, ALICE, resource, container, Subscription.hashClientState(SECRET), expiresAt,
        AuthMode.APPLICATION);
    stored.put(id, s);
    return s;
  }

  private NotificationResponse post(String body) {
    return receiver.handle("POST", PATH, Map.of(), Map.of(), body.getBytes(StandardCharsets.UTF_8));
  }

  private static String item(String subscriptionId, String clientState, String lifecycleEvent) {
    return "{\"subscriptionId\":\"" + subscriptionId + "\",\"clientState\":\"" + clientState + "\","
        + "\"changeType\":\"updated\",\"resource\":\"Users/alice-oid/Events/AAMk\","
        + "\"tenantId\":\"contoso\",\"subscriptionExpirationDateTime\":\"2026-03-05T10:00:00Z\""
        + (lifecycleEvent == null ? "" : ",\"lifecycleEvent\":\"" + lifecycleEvent + "\"") + "}";
  }

  private static String body(String... items) {
    return "{\"value\":[" + String.join(",", items) + "]}";
  }

  @Test
  void aGoodNotificationQueuesOneChangedSignalAndAnswers202() {
    subscribe("sub-1", Resource.EVENTS, "", NOW.plus(Duration.ofDays(2)));

    NotificationResponse r = post(body(item("sub-1", SECRET, null)));

    assertThat(r.status()).isEqualTo(202);
    assertThat(queued).containsExactly(new ChangeSignal(ALICE, Resource.EVENTS, "", "sub-1", SignalKind.CHANGED));
    assertThat(ignored).isEmpty();
  }

  @Test
  void aBadClientStateQueuesNothingAndIsReported() {
    Subscription s = subscribe("sub-1", Resource.EVENTS, "", NOW.plus(Duration.ofDays(2)));

    NotificationResponse r = post(body(item("sub-1", "guessed", null)));

    assertThat(r.status()).isEqualTo(202);
    assertThat(queued).isEmpty();
    assertThat(ignored).containsExactly(new IgnoredNotification("sub-1", Optional.of(s),
        IgnoredNotification.Reason.CLIENT_STATE_MISMATCH));
  }

  @Test
  void aNotificationNamingAnotherTenantQueuesNothing() {
    subscribe("sub-1", Resource.EVENTS, "", NOW.plus(Duration.ofDays(2)));

    post(body(item("sub-1", SECRET, null).replace("\"tenantId\":\"contoso\"", "\"tenantId\":\"fabrikam\"")));

    assertThat(queued).isEmpty();
    assertThat(ignored).extracting(IgnoredNotification::reason).containsExactly(IgnoredNotification.Reason.TENANT_MISMATCH);
  }

  @Test
  void aMissingClientStateQueuesNothing() {
    subscribe("sub-1", Resource.EVENTS, "", NOW.plus(Duration.ofDays(2)));

    post(body("{\"subscriptionId\":\"sub-1\",\"changeType\":\"created\"}"));

    assertThat(queued).isEmpty();
    assertThat(ignored).extracting(IgnoredNotification::reason)
        .containsExactly(IgnoredNotification.Reason.CLIENT_STATE_MISMATCH);
  }

  @Test
  void anOversizedBodyIsRejectedWith413AndQueuesNothing() {
    subscribe("sub-1", Resource.EVENTS, "", NOW.plus(Duration.ofDays(2)));
    String good = item("sub-1", SECRET, null);
    String big = body(good, good, good, good, good, good, good, good, good, good);
    assertThat(big.getBytes(StandardCharsets.UTF_8).length).isGreaterThan(receiver.maxBodyBytes());

    NotificationResponse r = post(big);

    assertThat(r.status()).isEqualTo(413);
    assertThat(queued).isEmpty();
  }

  @Test
  void malformedJsonIsRejectedWith400AndQueuesNothing() {
    subscribe("sub-1", Resource.EVENTS, "", NOW.plus(Duration.ofDays(2)));
    // the first item is good: nothing may be queued before the whole body has parsed
    String truncated = body(item("sub-1", SECRET, null), item("sub-1", SECRET, null)).replaceFirst("]}$", "");

    assertThat(post(truncated).status()).isEqualTo(400);
    assertThat(post("{\"value\":[{\"clientState\":\"" + SECRET + "\"}]}").status()).as("no subscriptionId")
        .isEqualTo(400);
    assertThat(post("{\"value\":{}}").status()).as("value not an array").isEqualTo(400);
    assertThat(post("[" .repeat(500)).status()).as("deep nesting").isEqualTo(400);
    assertThat(receiver.handle("POST", PATH, Map.of(), Map.of(), new byte[] {'{', (byte) 0xC3, '}'}).status())
        .as("not UTF-8").isEqualTo(400);
    assertThat(queued).isEmpty();
  }

  @Test
  void anUnknownSubscriptionQueuesNothingAndIsReportedForDeletion() {
    NotificationResponse r = post(body(item("sub-gone", SECRET, null)));

    assertThat(r.status()).isEqualTo(202);
    assertThat(queued).isEmpty();
    assertThat(ignored).containsExactly(new IgnoredNotification("sub-gone", Optional.empty(),
        IgnoredNotification.Reason.UNKNOWN_SUBSCRIPTION));
  }

  @Test
  void anExpiredSubscriptionQueuesNothingAndIsReported() {
    subscribe("sub-old", Resource.CONTACTS, "", NOW);

    post(body(item("sub-old", SECRET, null)));

    assertThat(queued).isEmpty();
    assertThat(ignored).extracting(IgnoredNotification::reason)
        .containsExactly(IgnoredNotification.Reason.EXPIRED_SUBSCRIPTION);
  }

  @Test
  void theValidationTokenIsEchoedDecodedAsPlainText() {
    String raw = "validationToken=Validation%3A+Testing+client+application+reachability+for+subscription"
        + "+Request-Id%3A+a1b2%26c%3D%3Cscript%3E%C3%A9";

    NotificationResponse r = receiver.handle("POST", PATH, NotificationReceiver.queryParameters(raw), Map.of(),
        new byte[0]);

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.headers()).containsEntry("Content-Type", "text/plain; charset=utf-8")
        .containsEntry("X-Content-Type-Options", "nosniff");
    assertThat(r.body()).isEqualTo(
        "Validation: Testing client application reachability for subscription Request-Id: a1b2&c=<script>é");
    assertThat(queued).isEmpty();
  }

  @Test
  void aMalformedQueryEscapeIsRefusedByTheDecoder() {
    assertThatThrownBy(() -> NotificationReceiver.queryParameters("validationToken=%zz"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void lifecycleEventsBecomeTheirSignalKinds() {
    subscribe("sub-1", Resource.MAIL, "inbox-id", NOW.plus(Duration.ofDays(2)));

    post(body(item("sub-1", SECRET, "missed"), item("sub-1", SECRET, "subscriptionRemoved"),
        item("sub-1", SECRET, "reauthorizationRequired"), item("sub-1", SECRET, "somethingNew")));

    assertThat(queued).extracting(ChangeSignal::kind).containsExactly(SignalKind.MISSED,
        SignalKind.SUBSCRIPTION_REMOVED, SignalKind.REAUTHORIZATION_REQUIRED);
    assertThat(queued).allSatisfy(s -> {
      assertThat(s.container()).isEqualTo("inbox-id");
      assertThat(s.resource()).isEqualTo(Resource.MAIL);
    });
    assertThat(ignored).extracting(IgnoredNotification::reason)
        .containsExactly(IgnoredNotification.Reason.UNKNOWN_LIFECYCLE_EVENT);
  }

  @Test
  void duplicatesInOneBodyCollapseToOneSignalPerMailboxResourceContainer() {
    subscribe("sub-inbox", Resource.MAIL, "inbox", NOW.plus(Duration.ofDays(2)));
    subscribe("sub-inbox-2", Resource.MAIL, "inbox", NOW.plus(Duration.ofDays(2)));
    subscribe("sub-sent", Resource.MAIL, "sent", NOW.plus(Duration.ofDays(2)));

    post(body(item("sub-inbox", SECRET, null), item("sub-inbox", SECRET, null), item("sub-sent", SECRET, null),
        item("sub-inbox-2", SECRET, null), item("sub-inbox", SECRET, "missed"), item("sub-inbox", SECRET, null)));

    assertThat(queued).containsExactly(
        new ChangeSignal(ALICE, Resource.MAIL, "inbox", "sub-inbox", SignalKind.CHANGED),
        new ChangeSignal(ALICE, Resource.MAIL, "sent", "sub-sent", SignalKind.CHANGED),
        new ChangeSignal(ALICE, Resource.MAIL, "inbox", "sub-inbox", SignalKind.MISSED));
  }

  @Test
  void aFailingLookupOrSinkAnswers503SoGraphRetries() {
    NotificationReceiver broken = NotificationReceiver.builder().path(PATH)
        .subscriptions(id -> {
          throw new IllegalStateException("database down");
        })
        .sink(queued::add).build();

    NotificationResponse r = broken.handle("POST", PATH, Map.of(), Map.of(),
        body(item("sub-1", SECRET, null)).getBytes(StandardCharsets.UTF_8));

    assertThat(r.status()).isEqualTo(503);
    assertThat(queued).isEmpty();
  }

  @Test
  void otherPathsAndMethodsAreRefused() {
    assertThat(receiver.handle("POST", "/other", Map.of(), Map.of(), new byte[0]).status()).isEqualTo(404);
    NotificationResponse get = receiver.handle("GET", PATH, Map.of("validationToken", "t"), Map.of(), null);
    assertThat(get.status()).isEqualTo(405);
    assertThat(get.headers()).containsEntry("Allow", "POST");
  }

  @Test
  void theBuilderFailsFast() {
    assertThatThrownBy(() -> NotificationReceiver.builder().sink(s -> { }).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("'subscriptions'");
    assertThatThrownBy(() -> NotificationReceiver.builder().maxBodyBytes(10).maxBodyBytes(20))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("already set to 10");
    assertThatThrownBy(() -> NotificationReceiver.builder().path("hooks"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'hooks'");
  }
}
