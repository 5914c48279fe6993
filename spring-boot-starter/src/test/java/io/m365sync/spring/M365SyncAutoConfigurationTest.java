package io.m365sync.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.m365sync.Resource;
import io.m365sync.SyncEngine;
import io.m365sync.crm.CrmStore;
import io.m365sync.jdbc.DbSchedulerSyncScheduler;
import io.m365sync.jdbc.JdbcSyncStateStore;
import io.m365sync.model.CalendarEvent;
import io.m365sync.model.Contact;
import io.m365sync.model.ResourceType;
import io.m365sync.notify.ChangeNotifications;
import io.m365sync.sync.ResourceSyncer;
import io.m365sync.sync.ResourceSyncers;
import io.m365sync.testkit.InMemoryCrmStore;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.function.RouterFunction;

/** What the auto-configuration builds from which beans and properties, and how it refuses what is missing. */
class M365SyncAutoConfigurationTest {
  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(M365SyncAutoConfiguration.class, M365SyncActuatorAutoConfiguration.class))
      .withPropertyValues("m365sync.client-id=4a7c9e21-5b3d-4f6a-9c8e-2d1f0b3a5c7e", "m365sync.client-secret=s3cr3t-value",
          "m365sync.token-cache.key-id=k1", "m365sync.token-cache.key=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
          "m365sync.scheduler.enabled=false");

  @Configuration(proxyBeanMethods = false)
  static class Host {
    @Bean
    DataSource dataSource() {
      JdbcDataSource ds = new JdbcDataSource();
      ds.setURL("jdbc:h2:mem:autoconfig-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1");
      return ds;
    }

    @Bean
    CrmStore<Contact> contacts() {
      return new InMemoryCrmStore<>("contact");
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class Events {
    @Bean
    CrmStore<CalendarEvent> events() {
      return new InMemoryCrmStore<>("event");
    }
  }

  @Test
  void withoutADataSourceNothingIsWired() {
    runner.run(ctx -> assertThat(ctx).hasNotFailed().doesNotHaveBean(SyncEngine.class).doesNotHaveBean(M365SyncEndpoint.class));
  }

  @Test
  void theHostsDataSourceBecomesTheStateStoreAndTheEngineGetsTheActuatorViews() {
    runner.withUserConfiguration(Host.class).run(ctx -> {
      assertThat(ctx).hasNotFailed().hasSingleBean(SyncEngine.class).hasSingleBean(JdbcSyncStateStore.class)
          .hasSingleBean(M365SyncHealthIndicator.class).hasSingleBean(M365SyncEndpoint.class)
          .doesNotHaveBean(DbSchedulerSyncScheduler.class);
      assertThat(ctx.getBean(SyncEngine.class).stateStore()).isSameAs(ctx.getBean(JdbcSyncStateStore.class));
      assertThat(ctx.getBean(M365SyncEndpoint.class).overview().mailboxes()).isZero();
    });
  }

  @Test
  void roundsRunOnAPoolSizedForGraphsLatencyThatNeverRefusesAStep() {
    runner.withUserConfiguration(Host.class).withPropertyValues("m365sync.max-concurrent-mailboxes=3",
        "m365sync.max-requests-per-mailbox=2").run(ctx -> {
      ThreadPoolExecutor pool = ctx.getBean(M365SyncAutoConfiguration.EXECUTOR, ThreadPoolExecutor.class);
      assertThat(pool.getMaximumPoolSize()).as("two threads per request in flight").isEqualTo(12);
      CountDownLatch release = new CountDownLatch(1);
      CountDownLatch started = new CountDownLatch(12);
      for (int i = 0; i < 12; i++) {
        pool.execute(() -> {
          started.countDown();
          await(release);
        });
      }
      assertThat(started.await(10, TimeUnit.SECONDS)).as("twelve steps at once, each on a thread of its own").isTrue();
      String[] ranOn = new String[1];
      pool.execute(() -> ranOn[0] = Thread.currentThread().getName()); // a thirteenth: the pool is full
      assertThat(ranOn[0]).isEqualTo(Thread.currentThread().getName());
      release.countDown();
    });
  }

  @Test
  void aHostExecutorNamedM365syncExecutorReplacesThePool() {
    Executor own = Runnable::run;
    runner.withUserConfiguration(Host.class).withBean(M365SyncAutoConfiguration.EXECUTOR, Executor.class, () -> own)
        .run(ctx -> {
          assertThat(ctx).hasNotFailed().doesNotHaveBean(ThreadPoolExecutor.class).hasSingleBean(SyncEngine.class);
          assertThat(ctx.getBean(M365SyncAutoConfiguration.EXECUTOR)).isSameAs(own);
        });
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void theClusterSchedulerIsOnByDefault() {
    runner.withUserConfiguration(Host.class).withPropertyValues("m365sync.scheduler.enabled=true")
        .run(ctx -> assertThat(ctx).hasNotFailed().hasSingleBean(DbSchedulerSyncScheduler.class));
  }

  @Test
  void lockAndFetchLeftUnsetFollowsTheDatabaseAndAskedForOnH2ItNamesWhatIsWrong() {
    runner.withUserConfiguration(Host.class).withPropertyValues("m365sync.scheduler.enabled=true") // H2: fetch
        .run(ctx -> assertThat(ctx).hasNotFailed().hasSingleBean(DbSchedulerSyncScheduler.class));
    runner.withUserConfiguration(Host.class)
        .withPropertyValues("m365sync.scheduler.enabled=true", "m365sync.scheduler.lock-and-fetch=true")
        .run(ctx -> assertThat(ctx).hasFailed().getFailure().rootCause()
            .hasMessageContaining("'lockAndFetch' needs PostgreSQL").hasMessageContaining("H2"));
  }

  @Test
  void crmStoreBeansAreFoundByItemTypeAndAHostSyncerWinsForItsResource() {
    runner.withUserConfiguration(Host.class, Events.class).run(ctx -> {
      @SuppressWarnings("unchecked")
      CrmStore<Contact> contacts = ctx.getBean("contacts", CrmStore.class);
      ResourceSyncer<Contact> own = ResourceSyncers.twoWay(ResourceType.CONTACTS, contacts);
      List<ResourceSyncer<?>> syncers = CrmStoreResources.syncers(ctx.getBeanFactory(), List.of(own), Set.of(Resource.EVENTS));
      assertThat(syncers).extracting(s -> s.type().resource()).containsExactlyInAnyOrder(Resource.CONTACTS, Resource.EVENTS);
      assertThat(syncers).contains(own);
    });
  }

  @Test
  void withoutACrmStoreTheStartupNamesWhatToDeclare() {
    runner.withBean(DataSource.class, () -> new Host().dataSource()).run(ctx -> assertThat(ctx).hasFailed()
        .getFailure().rootCause().hasMessageContaining("no CrmStore<T> bean"));
  }

  @Test
  void aMissingSettingIsNamedAndTheSecretNeverShown() {
    runner.withUserConfiguration(Host.class).withPropertyValues("m365sync.client-id=").run(ctx -> {
      assertThat(ctx).hasFailed();
      assertThat(ctx.getStartupFailure()).rootCause().hasMessageContaining("'m365sync.client-id' is required");
      assertThat(stackText(ctx.getStartupFailure())).doesNotContain("s3cr3t-value");
    });
  }

  @Test
  void delegatedTokensWithoutATokenCacheKeyAreRefusedWithTheWayOut() {
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(M365SyncAutoConfiguration.class))
        .withUserConfiguration(Host.class)
        .withPropertyValues("m365sync.client-id=4a7c9e21-5b3d-4f6a-9c8e-2d1f0b3a5c7e", "m365sync.client-secret=x",
            "m365sync.scheduler.enabled=false")
        .run(ctx -> assertThat(ctx).hasFailed().getFailure().rootCause()
            .hasMessageContaining("m365sync.token-cache.key").hasMessageContaining("m365sync.msal.delegated-enabled=false"));
  }

  @Test
  void notificationsAreOffWithoutAUrlAndTheRouteIsNotRegistered() {
    webRunner().run(ctx -> {
      assertThat(ctx).hasNotFailed().hasSingleBean(SyncEngine.class).doesNotHaveBean(ChangeNotifications.class)
          .doesNotHaveBean(RouterFunction.class);
      assertThat(ctx.getBean(SyncEngine.class).pendingChanges(io.m365sync.MailboxId.of("t", "u"))).isEmpty();
    });
  }

  @Test
  void aUrlTurnsNotificationsOnWithThePropertiesAndRoutesTheReceiversPath() {
    webRunner().withPropertyValues("m365sync.notifications.url=https://crm.example.com/hooks/graph",
        "m365sync.notifications.debounce=PT5S", "m365sync.notifications.safety-net-interval=PT12H",
        "m365sync.notifications.renewal-margin=PT6H", "m365sync.notifications.renewal-jitter=PT30M").run(ctx -> {
          assertThat(ctx).hasNotFailed().hasSingleBean(RouterFunction.class);
          assertThat(ctx.getBean(ChangeNotifications.class)).isEqualTo(new ChangeNotifications(
              URI.create("https://crm.example.com/hooks/graph"), Duration.ofSeconds(5), Duration.ofHours(12),
              Duration.ofHours(6), Duration.ofMinutes(30)));
          assertThat(ctx.getBean(SyncEngine.class).notificationReceiver().path()).isEqualTo("/hooks/graph");
        });
  }

  @Test
  void theRouteNeedsAServletWebApplication() {
    runner.withUserConfiguration(Host.class).withPropertyValues("m365sync.notifications.url=https://crm.example.com/hooks")
        .run(ctx -> assertThat(ctx).hasNotFailed().hasSingleBean(ChangeNotifications.class).doesNotHaveBean(RouterFunction.class));
  }

  @Test
  void aBadNotificationSettingIsNamedByItsProperty() {
    assertStartupFails("m365sync.notifications.url=http://crm.example.com/hooks", "'m365sync.notifications.url' must be");
    assertStartupFails("m365sync.notifications.debounce=PT0S", "'m365sync.notifications.debounce' must be positive");
    assertStartupFails("m365sync.notifications.renewal-margin=P3D", "'m365sync.notifications.renewal-margin' (PT72H)");
    assertStartupFails("m365sync.notifications.url=", "'m365sync.notifications.url' is empty");
  }

  private void assertStartupFails(String property, String message) {
    webRunner().withPropertyValues("m365sync.notifications.url=https://crm.example.com/hooks").withPropertyValues(property)
        .run(ctx -> assertThat(ctx).hasFailed().getFailure().rootCause().hasMessageContaining(message));
  }

  private WebApplicationContextRunner webRunner() {
    return new WebApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(M365SyncAutoConfiguration.class, M365SyncNotificationsAutoConfiguration.class))
        .withUserConfiguration(Host.class)
        .withPropertyValues("m365sync.client-id=4a7c9e21-5b3d-4f6a-9c8e-2d1f0b3a5c7e", "m365sync.client-secret=s3cr3t-value",
            "m365sync.token-cache.key-id=k1", "m365sync.token-cache.key=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
            "m365sync.scheduler.enabled=false");
  }

  private static String stackText(Throwable t) {
    java.io.StringWriter w = new java.io.StringWriter();
    t.printStackTrace(new java.io.PrintWriter(w));
    return w.toString();
  }
}
