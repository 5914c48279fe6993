package io.m365sync.examples.bench;

import io.m365sync.Mailbox;
import io.m365sync.Resource;
import io.m365sync.SyncEngine;
import io.m365sync.SyncOptions;
import io.m365sync.jdbc.JdbcSyncStateStore;
import io.m365sync.model.Contact;
import io.m365sync.model.ResourceType;
import io.m365sync.sync.ResourceSyncers;
import io.m365sync.testkit.FakeMicrosoft365;
import io.m365sync.testkit.InMemoryCrmStore;
import io.m365sync.testkit.RecordingSyncStateStore;
import io.m365sync.testkit.model.ModelUser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Runner (not a test): the first two-way sync of N mailboxes × M contacts, one mailbox after another,
 * into a durable H2 file, on the in-process fakes (no HTTP), so that the state store's writes are
 * what it measures. Prints items/s and the store's write calls (each one transaction) per page.
 * Arguments: mailboxes (20), contacts per mailbox (500), runs (3).
 */
public final class TwoWayFirstSyncBenchmark {
  private TwoWayFirstSyncBenchmark() {}

  /** One run: items synced, seconds, and the store's id-map and cursor write calls. */
  record Run(long items, double seconds, long writes, long pages) {
    double itemsPerSecond() {
      return items / seconds;
    }
  }

  public static void main(String[] args) throws Exception {
    int mailboxes = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    int contacts = args.length > 1 ? Integer.parseInt(args[1]) : 500;
    int runs = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    for (int r = 1; r <= runs; r++) {
      Run run = run(mailboxes, contacts);
      System.out.printf("run %d: %,d contacts in %.2f s: %,.0f contacts/s; %,d state writes for %,d pages (%.2f a page)%n",
          r, run.items(), run.seconds(), run.itemsPerSecond(), run.writes(), run.pages(), run.writes() / (double) run.pages());
    }
  }

  static Run run(int mailboxes, int contacts) throws Exception {
    FakeMicrosoft365 m365 = FakeMicrosoft365.create();
    List<ModelUser> users = ContactMailboxes.seed(m365, mailboxes, contacts);
    Path dir = Files.createTempDirectory("m365sync-two-way-bench");
    SyncOptions options = SyncOptions.defaults();
    try (JdbcSyncStateStore h2 = JdbcSyncStateStore.h2File(dir.resolve("state"))) {
      RecordingSyncStateStore store = new RecordingSyncStateStore(h2);
      InMemoryCrmStore<Contact> crm = new InMemoryCrmStore<>("contact");
      SyncEngine engine = SyncEngine.builder().clock(m365.clock()).gateway(m365.gateway()).stateStore(store)
          .delegatedTokens(m365.delegatedTokens()).resource(ResourceSyncers.twoWay(ResourceType.CONTACTS, crm))
          .options(options).build();
      List<Mailbox> enrolled = new ArrayList<>();
      for (ModelUser u : users) {
        Mailbox m = m365.signIn(u, Set.of(Resource.CONTACTS));
        engine.enroll(m);
        enrolled.add(m);
      }
      store.clear();
      long start = System.nanoTime();
      for (Mailbox m : enrolled) {
        engine.syncMailbox(m.id());
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      long items = enrolled.stream().mapToLong(m -> crm.items(m.id()).size()).sum();
      long writes = ContactMailboxes.stateWrites(store);
      long pages = (long) mailboxes * ((contacts + options.pageSize() - 1) / options.pageSize());
      return new Run(items, seconds, writes, pages);
    }
  }
}
