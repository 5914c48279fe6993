package io.m365sync.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.m365sync.AuthMode;
import io.m365sync.MailboxId;
import io.m365sync.Resource;
import io.m365sync.notify.ChangeSignal;
import io.m365sync.notify.NotificationReceiver;
import io.m365sync.notify.SignalKind;
import io.m365sync.notify.Subscription;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The receiver over real HTTP on 127.0.0.1, as Graph and the emulator reach it. */
class JdkHttpNotificationServerTest {
  private static final MailboxId ALICE = MailboxId.of("contoso", "alice-oid");
  private static final Subscription EVENTS = new Subscription("sub-1", ALICE, Resource.EVENTS, "",
      Subscription.hashClientState("secret"), Instant.parse("2999-01-01T00:00:00Z"), AuthMode.APPLICATION);

  private final List<ChangeSignal> queued = new CopyOnWriteArrayList<>();
  private final HttpClient http = HttpClient.newHttpClient();
  private JdkHttpNotificationServer server;

  @BeforeEach
  void start() throws Exception {
    NotificationReceiver receiver = NotificationReceiver.builder()
        .subscriptions(id -> id.equals(EVENTS.id()) ? Optional.of(EVENTS) : Optional.empty())
        .sink(queued::add)
        .maxBodyBytes(1_000)
        .build();
    server = JdkHttpNotificationServer.start(receiver, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private HttpResponse<String> post(URI uri, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void answersTheValidationHandshakeWithTheDecodedToken() throws Exception {
    URI uri = URI.create(server.url() + "?validationToken=Validation%3A+Testing+%3Cb%3E%26%C3%A9");

    HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).header("Content-Type", "text/plain")
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("text/plain; charset=utf-8");
    assertThat(r.body()).isEqualTo("Validation: Testing <b>&é");
  }

  @Test
  void queuesAGoodNotificationAndAnswers202() throws Exception {
    HttpResponse<String> r = post(server.url(),
        "{\"value\":[{\"subscriptionId\":\"sub-1\",\"clientState\":\"secret\",\"changeType\":\"created\"}]}");

    assertThat(r.statusCode()).isEqualTo(202);
    assertThat(queued).containsExactly(new ChangeSignal(ALICE, Resource.EVENTS, "", "sub-1", SignalKind.CHANGED));
  }

  @Test
  void refusesOversizedMalformedAndMisdirectedRequests() throws Exception {
    assertThat(post(server.url(), "{\"value\":[" + "{},".repeat(600) + "{}]}").statusCode()).isEqualTo(413);
    assertThat(post(server.url(), "{\"value\":[").statusCode()).isEqualTo(400);
    assertThat(post(URI.create(server.url() + "/deeper"), "{\"value\":[]}").statusCode()).isEqualTo(404);
    HttpResponse<String> get = http.send(HttpRequest.newBuilder(server.url()).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(get.statusCode()).isEqualTo(405);
    assertThat(get.headers().firstValue("Allow")).hasValue("POST");
    assertThat(queued).isEmpty();
  }
}
