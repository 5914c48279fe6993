package io.m365sync.examples.bench;

import io.m365sync.Mailbox;
import io.m365sync.Resource;
import io.m365sync.SyncEngine;
import io.m365sync.SyncOptions;
import io.m365sync.model.CalendarEvent;
import io.m365sync.model.Contact;
import io.m365sync.model.ResourceType;
import io.m365sync.state.SyncStateStore;
import io.m365sync.sync.ResourceSyncers;
import io.m365sync.testkit.FakeMicrosoft365;
import io.m365sync.testkit.InMemoryCrmStore;
import io.m365sync.testkit.model.ModelUser;
import java.lang.management.ManagementFactory;
import java.lang.ref.Reference;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;

/**
 * Not a test: the heap an idle enrolled mailbox costs the host — engine, in-memory state store and
 * CRM records — with N mailboxes (default 10,000) after three quiet cycles. Measured as the heap
 * the engine's object graph retains: used heap after a full GC with the engine alive, minus used
 * heap after the engine, its store and CRM are dropped (the fake Microsoft 365 stays alive in both).
 * Runs {@code runs} times (default 5) and prints every run and the median.
 *
 * <pre>mvn -q -B -o -pl examples test-compile exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=io.m365sync.examples.bench.IdleHeapBenchmark [-Dexec.args="10000 5"]</pre>
 */
public final class IdleHeapBenchmark {
  private IdleHeapBenchmark() {}

  public static void main(String[] args) {
    int mailboxes = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    System.out.printf("machine: %d cpus, JDK %s, %s, max heap %d MiB; %d mailboxes, %d runs%n",
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
        ManagementFactory.getRuntimeMXBean().getInputArguments(), Runtime.getRuntime().maxMemory() >> 20, mailboxes, runs);
    for (int items : new int[] {0, 1}) {
      double[] perMailbox = new double[runs];
      for (int r = 0; r < runs; r++) {
        perMailbox[r] = run(mailboxes, items);
      }
      double[] sorted = perMailbox.clone();
      Arrays.sort(sorted);
      System.out.printf("items per mailbox-resource %d: runs %s bytes/mailbox; median %.0f B (spread %.0f-%.0f)%n", items,
          Arrays.toString(Arrays.stream(perMailbox).map(Math::rint).toArray()), sorted[runs / 2], sorted[0], sorted[runs - 1]);
    }
  }

  /** Bytes per idle enrolled mailbox (events and contacts, one-way, {@code items} of each). */
  static double run(int mailboxes, int items) {
    FakeMicrosoft365 m365 = FakeMicrosoft365.create();
    List<Mailbox> enrolled = new ArrayList<>(mailboxes);
    Instant now = m365.clock().instant();
    for (int i = 0; i < mailboxes; i++) {
      ModelUser u = m365.addUser("user" + i);
      for (int k = 0; k < items; k++) {
        m365.mailbox(u).calendar().create(CalendarEvent.simple("meeting " + k, now.plus(Duration.ofDays(1)),
            now.plus(Duration.ofDays(1)).plusSeconds(1800)));
        m365.mailbox(u).contacts().create(Contact.of("Ada", "Lovelace " + k, "ada" + k + "@example.com"));
      }
      enrolled.add(m365.signIn(u, EnumSet.of(Resource.EVENTS, Resource.CONTACTS)));
    }
    m365.grantApplicationPermissions(Resource.EVENTS, Resource.CONTACTS);
    Engine e = new Engine(m365);
    enrolled.forEach(e.engine::enroll);
    e.engine.setApplicationPermissionEnabled(m365.tenantId(), true);
    for (int c = 0; c < 3; c++) {
      e.engine.runCycle();
      m365.clock().advance(Duration.ofMinutes(15));
    }
    m365.cloud().log().clear();
    long withEngine = usedAfterGc();
    Reference.reachabilityFence(e); // the JIT must not let the engine go before it is measured
    e = null; // drop the engine, its state store and the CRM; the fake Microsoft 365 stays
    long without = usedAfterGc();
    Reference.reachabilityFence(m365);
    return (withEngine - without) / (double) mailboxes;
  }

  /** The engine and everything only it holds. */
  private static final class Engine {
    final SyncEngine engine;

    Engine(FakeMicrosoft365 m365) {
      InMemoryCrmStore<CalendarEvent> events = new InMemoryCrmStore<>("event");
      InMemoryCrmStore<Contact> contacts = new InMemoryCrmStore<>("contact");
      engine = SyncEngine.builder().clock(m365.clock()).stateStore(SyncStateStore.inMemory()).gateway(m365.gateway())
          .delegatedTokens(m365.delegatedTokens()).applicationTokens(m365.applicationTokens())
          .options(SyncOptions.defaults())
          .resource(ResourceSyncers.oneWay(ResourceType.EVENTS, events))
          .resource(ResourceSyncers.oneWay(ResourceType.CONTACTS, contacts)).build();
    }
  }

  private static long usedAfterGc() {
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      System.gc();
      Runtime rt = Runtime.getRuntime();
      used = Math.min(used, rt.totalMemory() - rt.freeMemory());
    }
    return used;
  }
}
