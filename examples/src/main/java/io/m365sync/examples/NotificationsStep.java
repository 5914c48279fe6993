package io.m365sync.examples;

import com.sun.net.httpserver.HttpServer;
import io.m365sync.CycleReport;
import io.m365sync.Mailbox;
import io.m365sync.MailboxId;
import io.m365sync.MailboxSyncReport;
import io.m365sync.SyncEngine;
import io.m365sync.SyncListener;
import io.m365sync.crm.CrmStore;
import io.m365sync.model.CalendarEvent;
import io.m365sync.notify.ChangeNotifications;
import io.m365sync.notify.ResourceFeed;
import io.m365sync.schedule.SyncScheduler;
import io.m365sync.testkit.model.ModelUser;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * The quickstart's fifth step: the host restarts its engine with change notifications on, served by
 * the JDK's {@code HttpServer} on 127.0.0.1 and driven by the in-process scheduler. Its first cycle
 * reads every mailbox once and subscribes each resource (the emulator validates the URL like Graph);
 * then a meeting alice creates in Outlook is posted to the receiver, and a round after the debounce
 * brings it into the CRM. The delay printed is measured on the wall clock, the debounce included.
 */
final class NotificationsStep {
  static final String MEETING = "Pricing review with Fabrikam";
  /** The safety-net cycle: with notifications a cycle reads only what is due, so it may stay long. */
  private static final Duration CYCLE = Duration.ofMinutes(5);
  private static final long WAIT_SECONDS = 60;

  private final PrintStream out;
  private final DemoWorld world;
  private final Supplier<SyncEngine.Builder> engines;
  private final CrmStore<CalendarEvent> crmEvents;

  NotificationsStep(PrintStream out, DemoWorld world, Supplier<SyncEngine.Builder> engines, CrmStore<CalendarEvent> crmEvents) {
    this.out = out;
    this.world = world;
    this.engines = engines;
    this.crmEvents = crmEvents;
  }

  void run(List<Mailbox> enrolled) {
    Quickstart.step(out, 5, "The host turns change notifications on; then alice creates a meeting in Outlook");
    world.clock.advance(Duration.ofMinutes(15));
    ModelUser alice = world.user("alice");
    MailboxId aliceId = enrolled.stream().filter(m -> m.userPrincipalName().equals(alice.userPrincipalName()))
        .findFirst().orElseThrow().id();
    Watch watch = new Watch(aliceId);
    ScheduledExecutorService timer = Executors.newScheduledThreadPool(2);
    HttpServer http = bindLoopback();
    URI url = URI.create("http://127.0.0.1:" + http.getAddress().getPort() + "/m365sync/notifications");
    SyncEngine engine = engines.get()
        .changeNotifications(ChangeNotifications.to(url))
        .scheduler(SyncScheduler.inProcess(timer, CYCLE))
        .listener(watch)
        .build();
    http.createContext(engine.notificationReceiver().path(), JdkHttpNotificationServer.handler(engine.notificationReceiver()));
    http.start();
    try {
      engine.start();
      await(watch.firstCycle, "the first cycle");
      List<ResourceFeed> feeds = enrolled.stream().flatMap(m -> engine.monitor().feeds(m.id()).stream()).toList();
      out.printf("  Graph posts changes to %s; push-fed mailbox-resources: %d of %d%n", url,
          feeds.stream().filter(ResourceFeed::pushFed).count(), feeds.size());

      long requestsBefore = world.cloud.log().graphRequests(alice.objectId());
      Instant start = world.clock.instant().plus(Duration.ofDays(2));
      long created = System.nanoTime();
      world.tenant.mailbox(alice).calendar().create(CalendarEvent.simple(MEETING, start, start.plus(Duration.ofMinutes(30))));
      long arrived = watch.arrival(WAIT_SECONDS);
      long requests = world.cloud.log().graphRequests(alice.objectId()) - requestsBefore;
      out.printf(Locale.ROOT, "  alice saves '%s' in Outlook: in the CRM %.2f s later (a notification, the %d s debounce, a round"
          + " of %d Graph request%s)%n", MEETING, (arrived - created) / 1e9,
          ChangeNotifications.DEFAULT_DEBOUNCE.toSeconds(), requests, requests == 1 ? "" : "s");
    } finally {
      engine.close();
      http.stop(0);
      timer.shutdownNow();
    }
  }

  private static HttpServer bindLoopback() {
    try {
      return HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on 127.0.0.1: " + e.getMessage(), e);
    }
  }

  private static void await(CountDownLatch latch, String what) {
    try {
      if (!latch.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
        throw new IllegalStateException(what + " did not finish within " + WAIT_SECONDS + " s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted waiting for " + what, e);
    }
  }

  /** Hears the first cycle end, and the round that brings alice's meeting into the CRM. */
  private final class Watch implements SyncListener {
    final CountDownLatch firstCycle = new CountDownLatch(1);
    private final CompletableFuture<Long> arrived = new CompletableFuture<>();
    private final MailboxId alice;

    Watch(MailboxId alice) {
      this.alice = alice;
    }

    @Override
    public void cycleFinished(CycleReport report) {
      firstCycle.countDown();
    }

    @Override
    public void mailboxSynced(MailboxSyncReport report) {
      if (report.mailbox().equals(alice)
          && crmEvents.list(alice).stream().anyMatch(r -> MEETING.equals(r.item().subject()))) {
        arrived.complete(System.nanoTime());
      }
    }

    /** When the meeting was in the CRM, on the nano clock. */
    long arrival(long seconds) {
      try {
        return arrived.get(seconds, TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        throw new IllegalStateException("'" + MEETING + "' did not reach the CRM within " + seconds + " s", e);
      } catch (ExecutionException e) {
        throw new IllegalStateException(e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted waiting for '" + MEETING + "'", e);
      }
    }
  }
}
