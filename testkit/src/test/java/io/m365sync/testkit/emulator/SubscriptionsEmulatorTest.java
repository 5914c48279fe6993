package io.m365sync.testkit.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.m365sync.model.Contact;
import io.m365sync.testkit.model.AccessPolicy;
import io.m365sync.testkit.model.DeliverySettings;
import io.m365sync.testkit.model.ModelGroup;
import io.m365sync.testkit.model.ModelNotification;
import io.m365sync.testkit.model.SubscriptionModel;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SubscriptionsEmulatorTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private final Fixture f = new Fixture();
  private final RecordingWebhook hook = new RecordingWebhook();
  private final String token = f.appToken();

  @AfterEach
  void close() {
    hook.close();
    f.close();
  }

  private RawHttp.Response subscribe(String resource, Instant expires) {
    return f.http.send("POST", f.graph("/subscriptions"), token, """
        {"changeType":"created,updated,deleted","notificationUrl":"%s","lifecycleNotificationUrl":"%s",
         "resource":"%s","expirationDateTime":"%s","clientState":"s3cret-state"}"""
        .formatted(hook.url(), hook.lifecycleUrl(), resource, expires), "Prefer", "IdType=\"ImmutableId\"");
  }

  private String contactsOfAlice() {
    return "users/" + f.alice.objectId() + "/contacts";
  }

  private String subscribed(String resource) {
    RawHttp.Response r = subscribe(resource, f.clock.instant().plus(Duration.ofDays(2)));
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    return r.json().get("id").asText();
  }

  @Test
  void createValidatesBothUrlsWithAnEncodedTokenAndCapsTheLifetime() {
    Instant now = f.clock.instant();
    RawHttp.Response r = subscribe("users/" + f.alice.objectId() + "/events", now.plus(Duration.ofDays(30)));

    assertThat(r.status()).as(r.text()).isEqualTo(201);
    assertThat(Instant.parse(r.json().get("expirationDateTime").asText()))
        .isEqualTo(now.plus(Duration.ofMinutes(10_080)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
    assertThat(hook.validationTokens()).hasSize(2).allMatch(t -> t.contains(" ") && t.contains(":"));
    RawHttp.Response tasks = subscribe("users/" + f.alice.objectId() + "/todo/lists/tasks/tasks", now.plus(Duration.ofDays(30)));
    assertThat(Instant.parse(tasks.json().get("expirationDateTime").asText()))
        .isEqualTo(now.plus(Duration.ofMinutes(4230)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
    RawHttp.Response inbox = subscribe("users('" + f.alice.objectId() + "')/mailFolders('inbox')/messages",
        now.plus(Duration.ofMinutes(10)));
    assertThat(Instant.parse(inbox.json().get("expirationDateTime").asText()))
        .isEqualTo(now.plus(Duration.ofMinutes(45)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
  }

  @Test
  void anEndpointThatDoesNotEchoTheTokenGetsNoSubscription() {
    hook.refuseValidation(true);
    RawHttp.Response r = subscribe(contactsOfAlice(), f.clock.instant().plus(Duration.ofDays(1)));

    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().at("/error/code").asText()).isEqualTo("ValidationError");
    assertThat(f.tenant.subscriptions().ofUser(f.alice.objectId())).isEmpty();
  }

  @Test
  void clientStateOver128CharactersIsRefused() {
    RawHttp.Response r = f.http.send("POST", f.graph("/subscriptions"), token, """
        {"changeType":"created","notificationUrl":"%s","resource":"%s","expirationDateTime":"%s","clientState":"%s"}"""
        .formatted(hook.url(), contactsOfAlice(), f.clock.instant().plus(Duration.ofDays(1)), "x".repeat(129)));
    assertThat(r.status()).isEqualTo(400);
  }

  @Test
  void renewThenDelete() {
    String id = subscribed(contactsOfAlice());
    Instant later = f.clock.instant().plus(Duration.ofDays(5)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);

    RawHttp.Response renewed = f.http.send("PATCH", f.graph("/subscriptions/" + id), token,
        "{\"expirationDateTime\":\"" + later + "\"}");
    assertThat(renewed.status()).as(renewed.text()).isEqualTo(200);
    assertThat(Instant.parse(renewed.json().get("expirationDateTime").asText())).isEqualTo(later);

    assertThat(f.http.send("DELETE", f.graph("/subscriptions/" + id), token, null).status()).isEqualTo(204);
    assertThat(f.http.send("PATCH", f.graph("/subscriptions/" + id), token,
        "{\"expirationDateTime\":\"" + later + "\"}").status()).isEqualTo(404);
    assertThat(f.cloud.log().all().stream().map(x -> x.operation()))
        .contains("PATCH /subscriptions/" + id, "DELETE /subscriptions/" + id, "POST /subscriptions");
  }

  @Test
  void applicationAccessPolicyDenyingTheMailboxAnswers403AsForReads() {
    ModelGroup scope = f.tenant.addGroup("CRM mailboxes", true).add(f.bob);
    f.tenant.addAccessPolicy(AccessPolicy.AccessRight.RESTRICT_ACCESS, Fixture.CLIENT_ID, scope, "crm");

    RawHttp.Response r = subscribe(contactsOfAlice(), f.clock.instant().plus(Duration.ofDays(1)));

    assertThat(r.status()).isEqualTo(403);
    assertThat(r.json().at("/error/message").asText()).isEqualTo("Access to OData is disabled.");
    assertThat(hook.validationTokens()).isEmpty();
  }

  @Test
  void aMailboxHoldsAtMost1000Subscriptions() {
    SubscriptionModel subs = f.tenant.subscriptions();
    for (int i = 0; i < SubscriptionModel.MAX_PER_MAILBOX; i++) {
      subs.create(f.alice.objectId(), Fixture.CLIENT_ID, io.m365sync.AuthMode.APPLICATION, contactsOfAlice(), "created",
          hook.url(), null, null, f.clock.instant().plus(Duration.ofDays(1)), u -> true);
    }
    RawHttp.Response r = subscribe(contactsOfAlice(), f.clock.instant().plus(Duration.ofDays(1)));

    assertThat(r.status()).isEqualTo(403);
    assertThat(r.json().at("/error/code").asText()).isEqualTo("ExtensionError");
    assertThat(subscribe("users/" + f.bob.objectId() + "/contacts", f.clock.instant().plus(Duration.ofDays(1))).status())
        .isEqualTo(201);
  }

  @Test
  void aChangeIsDeliveredWithoutHoldingUpTheRequestThatMadeIt() throws Exception {
    String id = subscribed(contactsOfAlice());
    hook.holdAnswers(WAIT);

    RawHttp.Response created = f.http.send("POST", f.graph("/users/" + f.alice.objectId() + "/contacts"), token,
        "{\"givenName\":\"Ann\",\"surname\":\"Lee\"}");
    assertThat(created.status()).isEqualTo(201); // answered while the endpoint still holds its answer

    JsonNode n = hook.next(WAIT);
    hook.release();
    assertThat(n).isNotNull();
    assertThat(n.get("subscriptionId").asText()).isEqualTo(id);
    assertThat(n.get("changeType").asText()).isEqualTo("created");
    assertThat(n.get("clientState").asText()).isEqualTo("s3cret-state");
    assertThat(n.get("tenantId").asText()).isEqualTo(f.tenant.tenantId());
    assertThat(n.at("/resourceData/id").asText()).isEqualTo(created.json().get("id").asText());
  }

  @Test
  void onlyMatchingSubscriptionsAreNotified() throws Exception {
    subscribed("users/" + f.alice.objectId() + "/mailFolders('inbox')/messages");
    f.tenant.mailbox(f.alice).contacts().create(Contact.of("Ann", "Lee", "ann@example.com"));
    f.tenant.mailbox(f.bob).contacts().create(Contact.of("Bo", "Li", "bo@example.com"));
    assertThat(f.tenant.subscriptions().emitted()).isEmpty();
    assertThat(hook.next(Duration.ofMillis(200))).isNull();
  }

  @Test
  void seededDropsAndDuplicatesRepeat() throws Exception {
    subscribed(contactsOfAlice());
    List<Integer> first = copiesPerChange(42);
    List<Integer> second = copiesPerChange(42);

    assertThat(first).isEqualTo(second).contains(0, 2); // some dropped, some twice
    int expected = first.stream().mapToInt(Integer::intValue).sum() * 2;
    for (int i = 0; i < expected; i++) {
      assertThat(hook.next(WAIT)).as("notification " + i).isNotNull();
    }
    assertThat(hook.next(Duration.ofMillis(200))).isNull();
  }

  /** For 20 new contacts, how many notifications each one brought (0 dropped, 2 duplicated). */
  private List<Integer> copiesPerChange(long seed) {
    SubscriptionModel subs = f.tenant.subscriptions();
    subs.delivery(DeliverySettings.PROMPT.withFaults(0.3, 0.3, false, seed));
    int before = subs.emitted().size();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      ids.add(f.tenant.mailbox(f.alice).contacts().create(Contact.of("N" + i, "L", "n" + i + "@example.com")).id());
    }
    Map<String, Long> counts = subs.emitted().subList(before, subs.emitted().size()).stream()
        .collect(Collectors.groupingBy(ModelNotification::itemId, Collectors.counting()));
    return ids.stream().map(id -> counts.getOrDefault(id, 0L).intValue()).toList();
  }

  @Test
  void notificationsWaitingTogetherLeaveInOneShuffledBatch() throws Exception {
    subscribed(contactsOfAlice());
    f.tenant.subscriptions().delivery(DeliverySettings.PROMPT.withDelay(Duration.ofSeconds(1)).withMaxBatch(10)
        .withFaults(0, 0, true, 7));
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      ids.add(f.tenant.mailbox(f.alice).contacts().create(Contact.of("N" + i, "L", "n" + i + "@example.com")).id());
    }
    List<JsonNode> post = hook.nextPost(WAIT);

    assertThat(post).hasSize(5);
    assertThat(post.stream().map(n -> n.at("/resourceData/id").asText()).toList())
        .containsExactlyInAnyOrderElementsOf(ids).isNotEqualTo(ids);
  }

  @Test
  void lifecycleEventsGoToTheLifecycleUrlAndRemovalEndsDelivery() throws Exception {
    String id = subscribed(contactsOfAlice());
    SubscriptionModel subs = f.tenant.subscriptions();

    subs.trigger(id, "missed");
    subs.trigger(id, "reauthorizationRequired");
    subs.trigger(id, "subscriptionRemoved");
    List<String> events = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      JsonNode n = hook.next(WAIT);
      assertThat(n.get("subscriptionId").asText()).isEqualTo(id);
      assertThat(n.get("clientState").asText()).isEqualTo("s3cret-state");
      events.add(n.get("lifecycleEvent").asText());
    }
    assertThat(events).containsExactlyInAnyOrder("missed", "reauthorizationRequired", "subscriptionRemoved");

    f.tenant.mailbox(f.alice).contacts().create(Contact.of("Ann", "Lee", "ann@example.com"));
    assertThat(hook.next(Duration.ofMillis(200))).isNull();
    assertThat(f.http.get(f.graph("/subscriptions/" + id), token).status()).isEqualTo(404);
  }

  @Test
  void anExpiredSubscriptionNotifiesNothingAndIsGone() throws Exception {
    String id = subscribed(contactsOfAlice());
    f.clock.advance(Duration.ofDays(2).plusSeconds(1));

    f.tenant.mailbox(f.alice).contacts().create(Contact.of("Ann", "Lee", "ann@example.com"));

    assertThat(hook.next(Duration.ofMillis(200))).isNull();
    assertThat(f.tenant.subscriptions().emitted()).isEmpty();
    assertThat(f.http.get(f.graph("/subscriptions/" + id), f.appToken()).status()).isEqualTo(404);
  }

  @Test
  void slowAnswersAreCountedInTheRequestLog() throws Exception {
    subscribed(contactsOfAlice());
    f.tenant.subscriptions().delivery(DeliverySettings.PROMPT.withSlowThreshold(Duration.ofMillis(1000)));
    hook.holdAnswers(Duration.ofMillis(1500)); // never released: the answer takes 1.5 s

    f.tenant.mailbox(f.alice).contacts().create(Contact.of("Ann", "Lee", "ann@example.com"));
    assertThat(hook.next(WAIT)).isNotNull();
    hook.holdAnswers(Duration.ZERO);
    f.tenant.mailbox(f.alice).contacts().create(Contact.of("Bo", "Li", "bo@example.com"));
    assertThat(hook.next(WAIT)).isNotNull();

    long deadline = System.nanoTime() + WAIT.toNanos();
    while (f.cloud.log().count(r -> r.isNotification()) < 2 && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertThat(f.cloud.log().count(r -> r.isNotification())).isEqualTo(2);
    assertThat(f.cloud.log().count(r -> r.slowNotification())).isEqualTo(1);
  }
}
