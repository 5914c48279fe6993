package io.m365sync.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.m365sync.CycleReport;
import io.m365sync.Mailbox;
import io.m365sync.MailboxId;
import io.m365sync.Resource;
import io.m365sync.SyncEngine;
import io.m365sync.TenantId;
import io.m365sync.model.CalendarEvent;
import io.m365sync.model.Contact;
import io.m365sync.model.MailMessage;
import io.m365sync.state.MailboxStatus;
import io.m365sync.testkit.InMemoryCrmStore;
import io.m365sync.testkit.model.ModelUser;
import java.net.URI;
import java.util.EnumSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

class EmbeddingExampleTest {
  @Test
  void theReadmeSnippetSyncsAnEnrolledMailboxInApplicationMode() {
    JdbcDataSource ds = new JdbcDataSource();
    ds.setURL("jdbc:h2:mem:embedding;DB_CLOSE_DELAY=-1");
    ExecutorService pool = Executors.newFixedThreadPool(2);
    InMemoryCrmStore<CalendarEvent> events = new InMemoryCrmStore<>("event");
    InMemoryCrmStore<Contact> contacts = new InMemoryCrmStore<>("contact");
    InMemoryCrmStore<MailMessage> mail = new InMemoryCrmStore<>("mail");
    try (DemoWorld world = DemoWorld.seed("alice")) {
      world.grantApplicationPermissions(Resource.EVENTS, Resource.CONTACTS, Resource.MAIL);
      SyncEngine engine = EmbeddingExample.build(new EmbeddingExample.Host(ds, pool, DemoWorld.CLIENT_ID,
              DemoWorld.CLIENT_SECRET, "k1", new byte[32], events, contacts, mail, upn -> { }),
          new EmbeddingExample.Endpoints(URI.create(world.emulator.loginBaseUrl()), world.emulator.graphBaseUrl()));
      TenantId tenant = TenantId.of(world.tenant.tenantId());
      ModelUser alice = world.user("alice");
      engine.enroll(new Mailbox(new MailboxId(tenant, alice.objectId()), alice.userPrincipalName(), "crm-alice",
          java.time.Instant.now(), EnumSet.of(Resource.EVENTS, Resource.CONTACTS, Resource.MAIL)));
      engine.setApplicationPermissionEnabled(tenant, true);

      CycleReport report = engine.runCycle();

      assertThat(report.mailboxes().get(0).state().status()).as(report.toString()).isEqualTo(MailboxStatus.ACTIVE);
      assertThat(contacts.items(new MailboxId(tenant, alice.objectId()))).hasSize(1);
    } finally {
      pool.shutdownNow();
    }
  }
}
