package io.m365sync.examples;

import io.m365sync.Mailbox;
import io.m365sync.SyncEngine;
import io.m365sync.SyncListener;
import io.m365sync.SyncOptions;
import io.m365sync.crm.CrmStore;
import io.m365sync.graph.AppCredential;
import io.m365sync.graph.GraphMailboxGateway;
import io.m365sync.graph.MsalApplicationTokenStrategy;
import io.m365sync.graph.MsalDelegatedTokenStrategy;
import io.m365sync.graph.TokenCacheCipher;
import io.m365sync.jdbc.JdbcSyncStateStore;
import io.m365sync.model.CalendarEvent;
import io.m365sync.model.Contact;
import io.m365sync.model.MailMessage;
import io.m365sync.model.ResourceType;
import io.m365sync.state.MailboxState;
import io.m365sync.sync.ConflictJournal;
import io.m365sync.sync.ConflictPolicy;
import io.m365sync.sync.MailOptions;
import io.m365sync.sync.ResourceSyncers;
import io.m365sync.sync.TwoWayOptions;
import java.time.Clock;
import java.util.concurrent.ExecutorService;
import java.util.function.Consumer;
import javax.sql.DataSource;

/**
 * How a CRM backend embeds m365sync: the snippet in README.md is this class, compiled and run against
 * the emulator in {@code EmbeddingExampleTest}.
 */
public final class EmbeddingExample {
  private EmbeddingExample() {}

  /** What the host already has. */
  public record Host(DataSource dataSource, ExecutorService executor, String clientId, String clientSecret,
                     String tokenCacheKeyId, byte[] tokenCacheKey, CrmStore<CalendarEvent> crmEvents,
                     CrmStore<Contact> crmContacts, CrmStore<MailMessage> crmMail, Consumer<String> askUserToSignIn) {}

  /** Seams a test sets to point MSAL and Graph at the emulator; a production host leaves them null. */
  public record Endpoints(java.net.URI login, String graphBaseUrl) {}

  public static SyncEngine build(Host host, Endpoints endpoints) {
    JdbcSyncStateStore store = JdbcSyncStateStore.create(host.dataSource());        // migrates its own tables
    MsalDelegatedTokenStrategy.Builder delegated = MsalDelegatedTokenStrategy.builder()
        .clientId(host.clientId()).credential(AppCredential.secret(host.clientSecret()))
        .store(store).cipher(TokenCacheCipher.aesGcm(host.tokenCacheKeyId(), host.tokenCacheKey()));
    MsalApplicationTokenStrategy.Builder application = MsalApplicationTokenStrategy.builder()
        .clientId(host.clientId()).credential(AppCredential.secret(host.clientSecret()));
    GraphMailboxGateway.Builder gateway = GraphMailboxGateway.builder();
    if (endpoints != null) {
      delegated.routeTokenRequestsTo(endpoints.login());
      application.routeTokenRequestsTo(endpoints.login());
      gateway.baseUrl(endpoints.graphBaseUrl());
    }
    return SyncEngine.builder()
        .clock(Clock.systemUTC())
        .executor(host.executor())                            // rounds run here; the engine starts no threads
        .stateStore(store)
        .options(SyncOptions.defaults().withMaxConcurrentMailboxes(16))
        .gateway(gateway.build())
        .delegatedTokens(delegated.build())
        .applicationTokens(application.build())
        .resource(ResourceSyncers.twoWay(ResourceType.EVENTS, host.crmEvents(), TwoWayOptions.<CalendarEvent>builder()
            .policy(ConflictPolicy.NEWEST_WINS).journal(ConflictJournal.inMemory()).build()))
        .resource(ResourceSyncers.twoWay(ResourceType.CONTACTS, host.crmContacts()))
        .resource(ResourceSyncers.mail(host.crmMail(), MailOptions.defaults()))
        .listener(new SyncListener() {
          @Override
          public void signInRequired(Mailbox mailbox, MailboxState state) {
            host.askUserToSignIn().accept(mailbox.userPrincipalName()); // once, daily or weekly: SyncOptions.signInNotify
          }
        })
        .build();
  }
}
