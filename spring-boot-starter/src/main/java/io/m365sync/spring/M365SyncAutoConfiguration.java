package io.m365sync.spring;

import io.m365sync.SyncEngine;
import io.m365sync.SyncListener;
import io.m365sync.auth.AppRegistrations;
import io.m365sync.gateway.MailboxGateway;
import io.m365sync.graph.AppCredential;
import io.m365sync.graph.GraphMailboxGateway;
import io.m365sync.graph.MsalApplicationTokenStrategy;
import io.m365sync.graph.MsalBuilder;
import io.m365sync.graph.MsalDelegatedTokenStrategy;
import io.m365sync.graph.TokenCacheCipher;
import io.m365sync.jdbc.DbSchedulerSyncScheduler;
import io.m365sync.jdbc.JdbcSyncStateStore;
import io.m365sync.notify.ChangeNotifications;
import io.m365sync.schedule.SyncScheduler;
import io.m365sync.state.SyncStateStore;
import io.m365sync.sync.ResourceSyncer;
import java.util.Base64;
import java.util.concurrent.Executor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Wires a {@link SyncEngine} from {@code m365sync.*} properties and the host's beans: its
 * {@code DataSource} becomes the {@link JdbcSyncStateStore} and the db-scheduler cluster scheduler,
 * its {@code CrmStore} beans the resources ({@link CrmStoreResources}), its {@link SyncListener}
 * beans the listeners, {@code m365sync.notifications.*} (or a {@link ChangeNotifications} bean) its
 * change notifications. Every bean backs off when the host declares its own.
 */
@AutoConfiguration(afterName = "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration")
@ConditionalOnClass({SyncEngine.class, JdbcSyncStateStore.class, GraphMailboxGateway.class})
@ConditionalOnSingleCandidate(DataSource.class)
@EnableConfigurationProperties(M365SyncProperties.class)
public class M365SyncAutoConfiguration {
  /** The name of the engine's executor bean. */
  public static final String EXECUTOR = "m365syncExecutor";

  @Bean
  @ConditionalOnMissingBean(SyncStateStore.class)
  JdbcSyncStateStore m365syncStateStore(DataSource dataSource) {
    return JdbcSyncStateStore.create(dataSource); // migrates its tables; the host keeps owning the DataSource
  }

  @Bean
  @ConditionalOnMissingBean
  @ConditionalOnProperty(prefix = "m365sync.token-cache", name = "key")
  TokenCacheCipher m365syncTokenCacheCipher(M365SyncProperties properties) {
    M365SyncProperties.TokenCache t = properties.getTokenCache();
    if (t.getKeyId() == null || t.getKeyId().isBlank()) {
      throw new IllegalStateException("'m365sync.token-cache.key-id' is required with 'm365sync.token-cache.key'");
    }
    return TokenCacheCipher.aesGcm(t.getKeyId(), Base64.getDecoder().decode(t.getKey().trim()));
  }

  @Bean
  @ConditionalOnMissingBean(MailboxGateway.class)
  GraphMailboxGateway m365syncGateway(M365SyncProperties properties) {
    M365SyncProperties.Graph g = properties.getGraph();
    GraphMailboxGateway.Builder b = GraphMailboxGateway.builder().baseUrl(g.getBaseUrl());
    g.getAllowHosts().forEach(b::allowHost);
    if (g.getDefaultMailFolder() != null) {
      b.defaultMailFolder(g.getDefaultMailFolder());
    }
    if (g.getDefaultContactFolder() != null) {
      b.defaultContactFolder(g.getDefaultContactFolder());
    }
    if (g.getDefaultTaskList() != null) {
      b.defaultTaskList(g.getDefaultTaskList());
    }
    return b.build();
  }

  @Bean
  @ConditionalOnMissingBean
  @ConditionalOnBooleanProperty(name = "m365sync.msal.delegated-enabled", matchIfMissing = true)
  MsalDelegatedTokenStrategy m365syncDelegatedTokens(M365SyncProperties properties, SyncStateStore store,
                                                     ObjectProvider<TokenCacheCipher> cipher,
                                                     ObjectProvider<AppRegistrations<AppCredential>> registrations) {
    TokenCacheCipher c = cipher.getIfAvailable();
    if (c == null) {
      throw new IllegalStateException("delegated tokens need 'm365sync.token-cache.key-id' and 'm365sync.token-cache.key' "
          + "(or a TokenCacheCipher bean); set 'm365sync.msal.delegated-enabled=false' for application permissions only");
    }
    M365SyncProperties.Msal m = properties.getMsal();
    MsalDelegatedTokenStrategy.Builder b = msal(MsalDelegatedTokenStrategy.builder(), properties, registrations.getIfAvailable())
        .store(store).cipher(c).keepAliveInterval(m.getRefreshTokenKeepAlive());
    if (m.getScopePrefix() != null) {
      b.scopePrefix(m.getScopePrefix());
    }
    if (m.getSignInFrequency() != null) {
      b.signInFrequency(m.getSignInFrequency(), m.getSignInWarnBefore());
    }
    return b.build();
  }

  @Bean
  @ConditionalOnMissingBean
  @ConditionalOnBooleanProperty(name = "m365sync.msal.application-enabled", matchIfMissing = true)
  MsalApplicationTokenStrategy m365syncApplicationTokens(M365SyncProperties properties,
                                                         ObjectProvider<AppRegistrations<AppCredential>> registrations) {
    MsalApplicationTokenStrategy.Builder b = msal(MsalApplicationTokenStrategy.builder(), properties, registrations.getIfAvailable());
    if (properties.getMsal().getApplicationResource() != null) {
      b.resource(properties.getMsal().getApplicationResource());
    }
    return b.build();
  }

  /** The settings both MSAL strategies share: the app registration(s), the authority and the HTTP limits. */
  private static <B extends MsalBuilder<B>> B msal(B b, M365SyncProperties properties,
                                                  AppRegistrations<AppCredential> registrations) {
    M365SyncProperties.Msal m = properties.getMsal();
    if (registrations != null) {
      b.registrations(registrations);
    } else {
      b.clientId(Credentials.clientId(properties)).credential(Credentials.credential(properties));
    }
    b.authorityHost(m.getAuthorityHost()).refreshMargin(m.getRefreshMargin()).timeout(m.getTimeout()).threads(m.getThreads());
    if (m.getRouteTokenRequestsTo() != null) {
      b.routeTokenRequestsTo(m.getRouteTokenRequestsTo());
    }
    return b;
  }

  @Bean
  @ConditionalOnMissingBean(SyncScheduler.class)
  @ConditionalOnBooleanProperty(name = "m365sync.scheduler.enabled", matchIfMissing = true)
  DbSchedulerSyncScheduler m365syncScheduler(M365SyncProperties properties, DataSource dataSource) {
    M365SyncProperties.Scheduler s = properties.getScheduler();
    DbSchedulerSyncScheduler.Builder b = DbSchedulerSyncScheduler.builder(dataSource)
        .interval(s.getInterval()).jitter(s.getJitter()).heartbeat(s.getHeartbeat())
        .missedHeartbeatsLimit(s.getMissedHeartbeatsLimit()).pollingInterval(s.getPollingInterval())
        .threads(s.getThreads() != null ? s.getThreads() : properties.getMaxConcurrentMailboxes())
        .shutdownMaxWait(s.getShutdownMaxWait());
    if (s.getLockAndFetch() != null) {
      b.lockAndFetch(s.getLockAndFetch());
    }
    if (s.getNodeName() != null) {
      b.nodeName(s.getNodeName());
    }
    return b.build();
  }

  @Bean
  @ConditionalOnMissingBean
  @ConditionalOnProperty(prefix = "m365sync.notifications", name = "url")
  ChangeNotifications m365syncChangeNotifications(M365SyncProperties properties) {
    return properties.getNotifications().toChangeNotifications();
  }

  /**
   * Where mailbox rounds, their resources, their reads and the idle probes run: two threads per request
   * in flight (the read, and the step waiting for it, which sends a late read again), {@code 2 ×
   * maxConcurrentMailboxes × maxRequestsPerMailbox} at most, because at Graph's latency a round waits, it
   * does not compute (sized for cores, most of the time would go waiting). Threads are made when needed
   * and end after a minute idle; a task beyond the bound runs on the thread that gave it (the engine
   * never loses a step to a full pool; such a read is not sent again). A host bean named
   * {@code m365syncExecutor} replaces it.
   */
  @Bean(name = EXECUTOR, destroyMethod = "shutdown")
  @ConditionalOnMissingBean(name = EXECUTOR)
  ThreadPoolExecutor m365syncExecutor(M365SyncProperties properties) {
    int threads = Math.multiplyExact(2, Math.multiplyExact(properties.getMaxConcurrentMailboxes(),
        properties.getMaxRequestsPerMailbox()));
    AtomicInteger n = new AtomicInteger();
    return new ThreadPoolExecutor(0, threads, 60, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
      Thread t = new Thread(r, "m365sync-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    }, new ThreadPoolExecutor.CallerRunsPolicy());
  }

  @Bean
  @ConditionalOnMissingBean
  SyncEngine m365syncEngine(M365SyncProperties properties, SyncStateStore store, MailboxGateway gateway,
                            @Qualifier(EXECUTOR) Executor executor,
                            ObjectProvider<MsalDelegatedTokenStrategy> delegated,
                            ObjectProvider<MsalApplicationTokenStrategy> application,
                            ObjectProvider<SyncScheduler> scheduler,
                            ObjectProvider<AppRegistrations<AppCredential>> registrations,
                            ObjectProvider<SyncListener> listeners,
                            ObjectProvider<ResourceSyncer<?>> syncers,
                            ObjectProvider<ChangeNotifications> notifications,
                            ConfigurableListableBeanFactory beans) {
    SyncEngine.Builder b = SyncEngine.builder().stateStore(store).gateway(gateway).options(properties.toSyncOptions())
        .executor(executor);
    delegated.ifAvailable(b::delegatedTokens);
    application.ifAvailable(b::applicationTokens);
    scheduler.ifAvailable(b::scheduler);
    registrations.ifAvailable(b::appRegistrations);
    notifications.ifAvailable(b::changeNotifications);
    listeners.orderedStream().forEach(b::listener);
    CrmStoreResources.syncers(beans, syncers.orderedStream().toList(), properties.getTwoWay()).forEach(b::resource);
    return b.build();
  }

  @Bean
  @ConditionalOnMissingBean
  M365SyncLifecycle m365syncLifecycle(SyncEngine engine, ObjectProvider<SyncScheduler> scheduler) {
    return new M365SyncLifecycle(engine, scheduler.getIfAvailable() != null);
  }
}
