package io.m365sync.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import io.m365sync.Mailbox;
import io.m365sync.MailboxId;
import io.m365sync.Resource;
import io.m365sync.SyncEngine;
import io.m365sync.SyncListener;
import io.m365sync.crm.CrmChanges;
import io.m365sync.crm.CrmRecord;
import io.m365sync.crm.CrmStore;
import io.m365sync.gateway.MailboxGateway;
import io.m365sync.gateway.MailboxSession;
import io.m365sync.gateway.WriteResult;
import io.m365sync.model.CalendarEvent;
import io.m365sync.model.Contact;
import io.m365sync.model.ResourceType;
import io.m365sync.model.SyncItem;
import io.m365sync.sync.ResourceResult;
import io.m365sync.sync.ResourceSyncers;
import io.m365sync.testkit.FakeMicrosoft365;
import io.m365sync.testkit.ForwardingGateway;
import io.m365sync.testkit.InMemoryCrmStore;
import io.m365sync.testkit.model.FaultRule;
import io.m365sync.testkit.model.GraphError;
import io.m365sync.testkit.model.ModelUser;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/** Every line logged inside a round, by the engine or by the host's code it calls, says which mailbox it is about. */
class RoundMdcTest {
  private static final String WORKER = "m365sync-worker";

  final FakeMicrosoft365 m365 = FakeMicrosoft365.create();
  final ExecutorService worker = Executors.newSingleThreadExecutor(r -> new Thread(r, WORKER));

  @AfterEach
  void stop() {
    worker.shutdownNow();
  }

  @Test
  void everyLineInsideARoundCarriesTheThreeKeysAndNoneLeaksToTheNextTask() throws Exception {
    SyncEngine engine = SyncEngine.builder().clock(m365.clock()).executor(worker).gateway(m365.gateway())
        .delegatedTokens(m365.delegatedTokens())
        .resource(ResourceSyncers.oneWay(ResourceType.EVENTS, new LoggingCrmStore<>("EVENTS", new InMemoryCrmStore<>("event"))))
        .resource(ResourceSyncers.oneWay(ResourceType.CONTACTS, new LoggingCrmStore<>("CONTACTS", new InMemoryCrmStore<>("contact"))))
        .listener(new SyncListener() {
          @Override
          public void resourceSynced(Mailbox mailbox, ResourceResult result) {
            LoggerFactory.getLogger("host.listener").info("{} done: {}", result.resource(), result.outcome());
          }
        }).build();
    ModelUser alice = user("alice");
    ModelUser bob = user("bob");
    for (ModelUser u : List.of(alice, bob)) {
      engine.enroll(m365.signIn(u, EnumSet.of(Resource.EVENTS, Resource.CONTACTS)));
    }
    // a Graph failure inside bob's contacts round: the engine logs it at WARN
    m365.tenant().addFault(FaultRule.fail("GET .*/contacts/delta", bob.objectId(), 1,
        new GraphError(500, "generalException", "General exception while processing.")));
    RecordingLogProvider.LINES.clear();

    engine.runCycle();

    List<RecordingLogProvider.Line> inRounds = RecordingLogProvider.LINES.stream()
        .filter(l -> l.thread().equals(WORKER)).toList();
    assertThat(inRounds).extracting(RecordingLogProvider.Line::logger).contains("host.crm", "host.listener");
    assertThat(inRounds).allSatisfy(l -> {
      assertThat(l.mdc()).as(l.message()).containsEntry("m365sync.tenant", m365.tenantId().value())
          .containsKeys("m365sync.mailbox", "m365sync.resource");
      assertThat(l.mdc().get("m365sync.mailbox")).isIn(m365.mailboxId(alice).key(), m365.mailboxId(bob).key());
    });
    // the host's lines name the resource whose step called them
    assertThat(inRounds).filteredOn(l -> l.logger().startsWith("host."))
        .allSatisfy(l -> assertThat(l.message()).startsWith(l.mdc().get("m365sync.resource")));
    RecordingLogProvider.Line failed = inRounds.stream().filter(l -> l.level() == org.slf4j.event.Level.WARN)
        .findFirst().orElseThrow();
    assertThat(failed.mdc()).containsEntry("m365sync.mailbox", m365.mailboxId(bob).key())
        .containsEntry("m365sync.resource", "CONTACTS");
    assertThat(failed.message()).contains("request-id ");

    Map<String, String> next = worker.submit(() -> {
      Map<String, String> m = MDC.getCopyOfContextMap();
      return m == null ? Map.<String, String>of() : m;
    }).get();
    assertThat(next.keySet()).noneMatch(k -> k.startsWith("m365sync."));
  }

  @Test
  void aRoundOnTheHostsThreadPutsBackTheHostsOwnKeys() {
    SyncEngine engine = SyncEngine.builder().clock(m365.clock()).gateway(m365.gateway())
        .delegatedTokens(m365.delegatedTokens())
        .resource(ResourceSyncers.oneWay(ResourceType.EVENTS, new LoggingCrmStore<>("EVENTS", new InMemoryCrmStore<>("event"))))
        .build();
    Mailbox alice = m365.signIn(user("alice"), EnumSet.of(Resource.EVENTS));
    engine.enroll(alice);
    MDC.put("request", "host-request-1");
    MDC.put("m365sync.tenant", "outer");
    try {
      RecordingLogProvider.LINES.clear();
      engine.syncMailbox(alice.id());
      assertThat(RecordingLogProvider.LINES).filteredOn(l -> l.logger().equals("host.crm")).isNotEmpty()
          .allSatisfy(l -> assertThat(l.mdc()).containsEntry("request", "host-request-1")
              .containsEntry("m365sync.tenant", alice.tenant().value()).containsEntry("m365sync.resource", "EVENTS"));
      assertThat(MDC.getCopyOfContextMap()).isEqualTo(Map.of("request", "host-request-1", "m365sync.tenant", "outer"));
    } finally {
      MDC.clear();
    }
  }

  /**
   * A round's requests that go out several at once (here its pushes to Microsoft 365) run on the
   * engine's workers: a line the host's gateway logs there carries the round's keys too, and the worker
   * keeps none of them after.
   */
  @Test
  void linesLoggedWhereTheRoundsRequestsRunAtOnceCarryItsKeys() throws Exception {
    ThreadPoolExecutor lanes =
        (ThreadPoolExecutor) Executors.newFixedThreadPool(4, r -> new Thread(r, "m365sync-lane"));
    // started here, not inside the round: this binding's MDC is inherited by a thread from its creator
    lanes.prestartAllCoreThreads();
    // the round's own thread takes the pushes no lane has claimed yet: on a busy machine it could take
    // all twelve, so its first push waits until a lane has run one
    CountDownLatch laneRan = new CountDownLatch(1);
    try {
      InMemoryCrmStore<Contact> crm = new InMemoryCrmStore<>("contact");
      SyncEngine engine = SyncEngine.builder().clock(m365.clock()).executor(lanes)
          .gateway(new LoggingGateway(m365.gateway(), laneRan)).delegatedTokens(m365.delegatedTokens())
          .resource(ResourceSyncers.twoWay(ResourceType.CONTACTS, crm)).build();
      Mailbox mailbox = m365.signIn(m365.addUser("carol"), EnumSet.of(Resource.CONTACTS));
      engine.enroll(mailbox);
      for (int i = 0; i < 12; i++) {
        crm.save(mailbox.id(), null, Contact.of("Ada" + i, "Lovelace", "ada" + i + "@example.com"));
      }
      m365.clock().advance(Duration.ofMinutes(1));
      RecordingLogProvider.LINES.clear();

      engine.syncMailbox(mailbox.id());

      List<RecordingLogProvider.Line> creates = RecordingLogProvider.LINES.stream()
          .filter(l -> l.logger().equals("host.gateway")).toList();
      assertThat(creates).hasSize(12).allSatisfy(l -> assertThat(l.mdc()).as(l.thread())
          .containsEntry("m365sync.mailbox", mailbox.id().key()).containsEntry("m365sync.resource", "CONTACTS"));
      assertThat(creates).extracting(RecordingLogProvider.Line::thread).contains("m365sync-lane");
      for (int i = 0; i < 4; i++) {
        Map<String, String> after = lanes.submit(() -> {
          Map<String, String> m = MDC.getCopyOfContextMap();
          return m == null ? Map.<String, String>of() : m;
        }).get();
        assertThat(after.keySet()).noneMatch(k -> k.startsWith("m365sync."));
      }
    } finally {
      lanes.shutdownNow();
    }
  }

  /** The host's gateway, logging each create as a host's decorator might. */
  private static final class LoggingGateway extends ForwardingGateway {
    private static final Logger log = LoggerFactory.getLogger("host.gateway");
    private final CountDownLatch laneRan;

    /** Pushes made off the lanes wait (up to 10 s) until one has been made on a lane. */
    LoggingGateway(MailboxGateway gateway, CountDownLatch laneRan) {
      super(gateway);
      this.laneRan = laneRan;
    }

    @Override
    public <T extends SyncItem> WriteResult create(MailboxSession session, ResourceType<T> type, String container,
                                                   T item) {
      log.info("create");
      if (Thread.currentThread().getName().equals("m365sync-lane")) {
        laneRan.countDown();
      } else {
        try {
          laneRan.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return super.create(session, type, container, item);
    }
  }

  private ModelUser user(String alias) {
    ModelUser u = m365.addUser(alias);
    Instant now = m365.clock().instant();
    m365.mailbox(u).calendar().create(CalendarEvent.simple(alias + " meeting", now.plus(Duration.ofDays(1)),
        now.plus(Duration.ofDays(1)).plus(Duration.ofHours(1))));
    m365.mailbox(u).contacts().create(Contact.of("Ada", "Lovelace", "ada." + alias + "@example.com"));
    return u;
  }

  /** The host's CRM, logging as hosts do; each line starts with the resource it serves. */
  private static final class LoggingCrmStore<T extends SyncItem> implements CrmStore<T> {
    private static final Logger log = LoggerFactory.getLogger("host.crm");
    private final String resource;
    private final InMemoryCrmStore<T> crm;

    LoggingCrmStore(String resource, InMemoryCrmStore<T> crm) {
      this.resource = resource;
      this.crm = crm;
    }

    private void log(String what, MailboxId mailbox) {
      log.info("{} {} for {}", resource, what, mailbox);
    }

    @Override
    public CrmRecord<T> save(MailboxId mailbox, String crmId, T item) {
      log("save", mailbox);
      return crm.save(mailbox, crmId, item);
    }

    @Override
    public void delete(MailboxId mailbox, String crmId) {
      log("delete", mailbox);
      crm.delete(mailbox, crmId);
    }

    @Override
    public Optional<CrmRecord<T>> find(MailboxId mailbox, String crmId) {
      log("find", mailbox);
      return crm.find(mailbox, crmId);
    }

    @Override
    public List<CrmRecord<T>> list(MailboxId mailbox) {
      log("list", mailbox);
      return crm.list(mailbox);
    }

    @Override
    public CrmChanges<T> changesSince(MailboxId mailbox, String watermark) {
      log("changesSince", mailbox);
      return crm.changesSince(mailbox, watermark);
    }
  }
}
