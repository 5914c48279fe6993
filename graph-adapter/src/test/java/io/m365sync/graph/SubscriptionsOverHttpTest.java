package io.m365sync.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.m365sync.Mailbox;
import io.m365sync.gateway.MailboxGateway;
import io.m365sync.gateway.MailboxSession;
import io.m365sync.gateway.RemoteSubscription;
import io.m365sync.model.Contact;
import io.m365sync.model.ResourceType;
import io.m365sync.testkit.emulator.EmulatorRequest;
import io.m365sync.testkit.emulator.RecordingWebhook;
import io.m365sync.testkit.model.ModelUser;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The adapter's subscription calls over HTTP: what it sends, and a change delivered back to the host's endpoint. */
class SubscriptionsOverHttpTest {
  private final EmulatorFixture fx = new EmulatorFixture();
  private final RecordingWebhook hook = new RecordingWebhook();
  private final ModelUser amy = fx.tenant.addUser("amy");
  private final Mailbox mailbox = fx.signIn(amy);
  private final MailboxSession session = fx.session(mailbox, fx.delegated);

  @AfterEach
  void close() {
    hook.close();
    fx.close();
  }

  @Test
  void createAsksForImmutableIdsOnTheInboxAndTheEndpointHearsOfAChange() throws Exception {
    fx.emulator.clearRecordedRequests();
    RemoteSubscription s = fx.gateway.createSubscription(session, ResourceType.MAIL, null, hook.url(), hook.lifecycleUrl(),
        "state-1", fx.clock.instant().plus(Duration.ofDays(1)));

    EmulatorRequest post = fx.emulator.recordedRequests().stream()
        .filter(r -> r.method().equals("POST") && r.path().equals("/v1.0/subscriptions")).findFirst().orElseThrow();
    assertThat(post.headers().entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase("Prefer"))
        .flatMap(e -> e.getValue().stream())).anyMatch(v -> v.contains("IdType=\"ImmutableId\""));
    assertThat(post.body()).contains("\"resource\":\"users/" + amy.objectId() + "/mailFolders/inbox/messages\"")
        .contains("\"lifecycleNotificationUrl\":\"" + hook.lifecycleUrl() + "\"");

    String id = fx.tenant.mailbox(amy).mail("inbox").create(new io.m365sync.model.MailMessage("Hi",
        new io.m365sync.model.EmailAddress("bo@example.com", "Bo"), java.util.List.of(), java.util.List.of(),
        fx.clock.instant(), "body", "<m1@example.com>", "inbox", java.util.List.of(), java.util.Map.of())).id();
    JsonNode n = hook.next(Duration.ofSeconds(10));
    assertThat(n).isNotNull();
    assertThat(n.get("subscriptionId").asText()).isEqualTo(s.id());
    assertThat(n.at("/resourceData/id").asText()).isEqualTo(id);
  }

  @Test
  void aGatewayWithoutSubscriptionsSaysWhichItIs() {
    MailboxGateway bare = new MailboxGateway() {
      @Override
      public <T extends io.m365sync.model.SyncItem> io.m365sync.gateway.DeltaPage<T> delta(MailboxSession s,
          ResourceType<T> t, io.m365sync.gateway.DeltaRequest r) {
        throw new AssertionError();
      }

      @Override
      public <T extends io.m365sync.model.SyncItem> java.util.Optional<T> get(MailboxSession s, ResourceType<T> t,
          String c, String id) {
        throw new AssertionError();
      }

      @Override
      public <T extends io.m365sync.model.SyncItem> io.m365sync.gateway.WriteResult create(MailboxSession s,
          ResourceType<T> t, String c, T item) {
        throw new AssertionError();
      }

      @Override
      public <T extends io.m365sync.model.SyncItem> io.m365sync.gateway.WriteResult update(MailboxSession s,
          ResourceType<T> t, String c, String id, String ifMatch, io.m365sync.gateway.ItemPatch<T> p) {
        throw new AssertionError();
      }

      @Override
      public void delete(MailboxSession s, ResourceType<?> t, String c, String id, String ifMatch) {
        throw new AssertionError();
      }
    };
    assertThatThrownBy(() -> bare.deleteSubscription(session, "x")).isInstanceOf(UnsupportedOperationException.class)
        .hasMessageContaining(bare.getClass().getName());
    assertThatThrownBy(() -> bare.createSubscription(session, ResourceType.CONTACTS, null, hook.url(), null, null,
        fx.clock.instant())).isInstanceOf(UnsupportedOperationException.class);
  }
}
