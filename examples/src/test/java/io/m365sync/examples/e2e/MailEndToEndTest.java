package io.m365sync.examples.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.m365sync.MailboxId;
import io.m365sync.model.EmailAddress;
import io.m365sync.model.MailMessage;
import io.m365sync.sync.MailOptions;
import io.m365sync.sync.ResourceSyncers;
import io.m365sync.testkit.InMemoryCrmStore;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Mail capture, Microsoft 365 → CRM, through SyncEngine + MSAL4J + the Graph SDK gateway + the emulator. */
class MailEndToEndTest {
  final E2eWorld world = new E2eWorld();
  final InMemoryCrmStore<MailMessage> crm = new InMemoryCrmStore<>("mail");
  final Instant received = Instant.parse("2026-02-16T08:00:00Z");

  @AfterEach
  void close() {
    world.close();
  }

  MailMessage message(String subject, String from, String msgId) {
    return new MailMessage(subject, EmailAddress.of(from), List.of(EmailAddress.of("alice@contoso.com")), List.of(),
        received, "Hello", msgId, null, List.of(), Map.of());
  }

  @Test
  void theHostFilterDecidesAndAMessageMovedBetweenFoldersIsCapturedOnce() {
    String offer = world.box.mail("inbox").create(message("Offer", "buyer@customer.com", "<offer-1@customer.com>")).id();
    world.box.mail("inbox").create(message("Newsletter", "news@spam.example", "<n-1@spam.example>"));
    MailboxId id = world.signIn(ResourceSyncers.mail(crm, MailOptions.defaults()
        .withCapture(m -> m.from() != null && m.from().address().endsWith("@customer.com")))).id();

    world.sync();
    assertThat(crm.items(id)).singleElement().satisfies(m -> {
      assertThat(m.subject()).isEqualTo("Offer");
      assertThat(m.internetMessageId()).isEqualTo("<offer-1@customer.com>");
      assertThat(m.from().address()).isEqualTo("buyer@customer.com");
      assertThat(m.receivedAt()).isEqualTo(received);
    });

    // the user files the message: Inbox → Sent Items (both synced) → Archive (not synced) → Inbox;
    // immutable ids keep it one message, whatever folder delta reports it in
    world.box.moveMessage(offer, "sentitems");
    world.sync();
    world.box.moveMessage(offer, "archive");
    world.sync();
    world.box.moveMessage(offer, "inbox");
    world.sync();
    world.box.mail("inbox").evictDeltaTokens(); // and a 410 on top
    world.box.mail("sentitems").evictDeltaTokens();
    world.sync();

    assertThat(crm.list(id)).hasSize(1);
    assertThat(crm.creates()).isEqualTo(1);
    assertThat(world.requests("GET", "/messages/delta")).isNotEmpty();
    assertThat(world.requests("GET", "/messages/delta"))
        .allSatisfy(r -> assertThat(r.header("Prefer")).contains("IdType=\"ImmutableId\""));

    // a new message from a customer is captured; mail is never written to Microsoft 365
    world.box.mail("inbox").create(message("Re: Offer", "buyer@customer.com", "<offer-2@customer.com>"));
    world.sync();
    assertThat(crm.items(id)).extracting(MailMessage::subject).containsExactlyInAnyOrder("Offer", "Re: Offer");
    assertThat(world.emulator.recordedRequests()).noneMatch(r -> r.path().contains("/messages") && !r.method().equals("GET"));
  }
}
