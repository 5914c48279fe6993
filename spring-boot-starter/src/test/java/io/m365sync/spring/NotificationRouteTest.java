package io.m365sync.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.m365sync.AuthMode;
import io.m365sync.Mailbox;
import io.m365sync.MailboxId;
import io.m365sync.Resource;
import io.m365sync.SyncEngine;
import io.m365sync.SyncListener;
import io.m365sync.crm.CrmStore;
import io.m365sync.model.Contact;
import io.m365sync.notify.ChangeSignal;
import io.m365sync.notify.IgnoredNotification;
import io.m365sync.notify.NotificationReceiver;
import io.m365sync.notify.SignalKind;
import io.m365sync.notify.Subscription;
import io.m365sync.state.DirtyMark;
import io.m365sync.state.SyncStateStore;
import io.m365sync.testkit.InMemoryCrmStore;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;

/**
 * The receiver served by the starter's route over real HTTP (Tomcat on a random port, under a
 * context path): Graph's validation handshake, a verified notification, a forged one and an
 * oversized body. The state store is the in-memory one, so the test sees the dirty marks.
 */
@SpringBootTest(classes = NotificationRouteTest.App.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
        "server.servlet.context-path=/crm",
        "m365sync.notifications.url=https://crm.example.com/crm/graph/notifications",
        "spring.datasource.url=jdbc:h2:mem:notification-route;DB_CLOSE_DELAY=-1",
        "m365sync.client-id=4a7c9e21-5b3d-4f6a-9c8e-2d1f0b3a5c7e", "m365sync.client-secret=s3cr3t-value",
        "m365sync.token-cache.key-id=k1", "m365sync.token-cache.key=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        "m365sync.scheduler.enabled=false"})
class NotificationRouteTest {
  private static final String PATH = "/crm/graph/notifications";
  private static final String CLIENT_STATE = "a-random-client-state";
  private static final MailboxId ALICE = MailboxId.of("contoso", "alice-oid");

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {
    @Bean
    CrmStore<Contact> crmContacts() {
      return new InMemoryCrmStore<>("contact");
    }

    @Bean
    SyncStateStore stateStore() {
      return SyncStateStore.inMemory();
    }

    @Bean
    Recording recording() {
      return new Recording();
    }
  }

  /** What the engine told its listeners about notifications. */
  static final class Recording implements SyncListener {
    final List<ChangeSignal> signalled = new CopyOnWriteArrayList<>();
    final List<IgnoredNotification> ignored = new CopyOnWriteArrayList<>();

    @Override
    public void changeSignalled(ChangeSignal signal) {
      signalled.add(signal);
    }

    @Override
    public void notificationIgnored(IgnoredNotification notification) {
      ignored.add(notification);
    }
  }

  @Autowired SyncEngine engine;
  @Autowired SyncStateStore store;
  @Autowired Recording recording;
  @LocalServerPort int port;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void aliceIsEnrolledWithAContactsSubscription() {
    engine.enroll(new Mailbox(ALICE, "alice@contoso.com", "crm-alice", Instant.now(), Set.of(Resource.CONTACTS)));
    store.clearDirty(ALICE, Resource.CONTACTS, Instant.now().plusSeconds(60));
    store.putSubscription(new Subscription("sub-1", ALICE, Resource.CONTACTS, Subscription.hashClientState(CLIENT_STATE),
        Instant.now().plus(Duration.ofDays(2)), AuthMode.DELEGATED));
    recording.signalled.clear();
    recording.ignored.clear();
  }

  @Test
  void theValidationHandshakeEchoesTheDecodedTokenAsPlainText() throws Exception {
    HttpResponse<String> r = send(post("?validationToken=Validation%3A+Testing+client%2Bapp+%26+%C3%A9", "")
        .header("Content-Type", "text/plain"));

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("Validation: Testing client+app & é");
    assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
    assertThat(r.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
    assertThat(recording.signalled).isEmpty();
  }

  @Test
  void aVerifiedNotificationIsAcceptedAndMarksTheMailboxResourceDirty() throws Exception {
    HttpResponse<String> r = send(post("", notification(CLIENT_STATE)));

    assertThat(r.statusCode()).isEqualTo(202);
    assertThat(store.dirtyMarks(ALICE)).extracting(DirtyMark::resource).containsExactly(Resource.CONTACTS);
    assertThat(engine.pendingChanges(ALICE)).isPresent();
    assertThat(recording.signalled).containsExactly(new ChangeSignal(ALICE, Resource.CONTACTS, "", "sub-1", SignalKind.CHANGED));
  }

  @Test
  void aNotificationWithAWrongClientStateIsIgnored() throws Exception {
    HttpResponse<String> r = send(post("", notification("guessed")));

    assertThat(r.statusCode()).isEqualTo(202); // Graph would retry anything else; the item is dropped, not queued
    assertThat(store.dirtyMarks(ALICE)).isEmpty();
    assertThat(recording.signalled).isEmpty();
    assertThat(recording.ignored).extracting(IgnoredNotification::reason)
        .containsExactly(IgnoredNotification.Reason.CLIENT_STATE_MISMATCH);
  }

  @Test
  void aBodyOverTheLimitIs413WhetherItsLengthIsDeclaredOrNot() throws Exception {
    byte[] big = oversized();

    HttpResponse<String> declared = send(HttpRequest.newBuilder(url(""))
        .POST(HttpRequest.BodyPublishers.ofByteArray(big)).header("Content-Type", "application/json"));
    HttpResponse<String> chunked = send(HttpRequest.newBuilder(url(""))
        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big)))
        .header("Content-Type", "application/json"));

    assertThat(declared.statusCode()).isEqualTo(413);
    assertThat(chunked.statusCode()).isEqualTo(413);
    assertThat(store.dirtyMarks(ALICE)).isEmpty();
    assertThat(recording.signalled).isEmpty();
  }

  @Test
  void onlyThePostOnTheNotificationPathIsServed() throws Exception {
    assertThat(send(HttpRequest.newBuilder(url("")).GET()).statusCode()).isNotIn(200, 202);
    assertThat(send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/crm/graph/other"))
        .POST(HttpRequest.BodyPublishers.ofString(notification(CLIENT_STATE)))).statusCode()).isEqualTo(404);
    assertThat(store.dirtyMarks(ALICE)).isEmpty();
  }

  /** A valid notification collection, padded with whitespace to one byte over the limit. */
  private static byte[] oversized() {
    byte[] body = notification(CLIENT_STATE).getBytes(StandardCharsets.UTF_8);
    byte[] big = new byte[NotificationReceiver.DEFAULT_MAX_BODY_BYTES + 1];
    java.util.Arrays.fill(big, (byte) ' ');
    System.arraycopy(body, 0, big, 0, body.length);
    return big;
  }

  private static String notification(String clientState) {
    return "{\"value\":[{\"subscriptionId\":\"sub-1\",\"clientState\":\"" + clientState + "\","
        + "\"changeType\":\"updated\",\"resource\":\"Users/alice-oid/Contacts/AAMk\",\"tenantId\":\"contoso\"}]}";
  }

  private HttpRequest.Builder post(String query, String body) {
    return HttpRequest.newBuilder(url(query)).POST(HttpRequest.BodyPublishers.ofString(body))
        .header("Content-Type", "application/json");
  }

  private URI url(String query) {
    return URI.create("http://127.0.0.1:" + port + PATH + query);
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return http.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
