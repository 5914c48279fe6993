package io.m365sync.examples.bench;

import io.m365sync.Mailbox;
import io.m365sync.Resource;
import io.m365sync.SyncEngine;
import io.m365sync.model.Contact;
import io.m365sync.model.ResourceType;
import io.m365sync.state.IdLink;
import io.m365sync.sync.ResourceSyncers;
import io.m365sync.testkit.FakeMicrosoft365;
import io.m365sync.testkit.InMemoryCrmStore;
import io.m365sync.testkit.RecordingSyncStateStore;
import io.m365sync.testkit.model.ModelUser;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Runner (not a test): the round after Microsoft 365 lost part of each mailbox's contacts. N mailboxes ×
 * M contacts are synced one-way into the CRM, then a share of each mailbox's contacts is deleted, and the
 * next round of every mailbox, one after another, is timed: each deletion deletes a CRM record and removes
 * its link. On the in-process fakes (no HTTP), so the state store's writes are what it measures.
 * Arguments ({@code key=value}): mailboxes (20), contacts (1000), deleted share (0.4: under the mass-change
 * guard's half), runs (3), store (h2|postgres|memory; h2), pool (PostgreSQL, as the throughput runner).
 */
public final class DeletionRoundBenchmark {
  private DeletionRoundBenchmark() {}

  /** One run: deletions applied, seconds, the store's id-map and cursor write calls, and the rounds. */
  record Run(long deleted, double seconds, long writes, long rounds) {}

  public static void main(String[] argv) throws Exception {
    BenchArgs args = BenchArgs.parse(argv);
    int mailboxes = args.integer("mailboxes", 20);
    int contacts = args.integer("contacts", 1000);
    double share = args.decimal("deleted", 0.4);
    int runs = args.integer("runs", 3);
    try (BenchStores stores = BenchStores.from(args, BenchStores.Kind.H2)) {
      System.out.println("store: " + stores.describe());
      for (int r = 1; r <= runs; r++) {
        Run run = run(stores, mailboxes, contacts, share);
        System.out.printf("run %d: %,d deletions in %.2f s: %,.0f deletions/s; %,d state writes in %d rounds"
            + " (%.1f a round)%n", r, run.deleted(), run.seconds(), run.deleted() / run.seconds(), run.writes(),
            run.rounds(), run.writes() / (double) run.rounds());
      }
    }
  }

  static Run run(BenchStores stores, int mailboxes, int contacts, double share) throws Exception {
    FakeMicrosoft365 m365 = FakeMicrosoft365.create();
    List<ModelUser> users = ContactMailboxes.seed(m365, mailboxes, contacts);
    try (BenchStores.Opened opened = stores.open()) {
      RecordingSyncStateStore store = new RecordingSyncStateStore(opened.store());
      InMemoryCrmStore<Contact> crm = new InMemoryCrmStore<>("contact");
      SyncEngine engine = SyncEngine.builder().clock(m365.clock()).gateway(m365.gateway()).stateStore(store)
          .delegatedTokens(m365.delegatedTokens()).resource(ResourceSyncers.oneWay(ResourceType.CONTACTS, crm))
          .build();
      List<Mailbox> enrolled = new ArrayList<>();
      for (ModelUser u : users) {
        Mailbox m = m365.signIn(u, Set.of(Resource.CONTACTS));
        engine.enroll(m);
        engine.syncMailbox(m.id());
        enrolled.add(m);
      }
      long deleted = 0;
      for (int i = 0; i < mailboxes; i++) {
        List<IdLink> links = store.links(enrolled.get(i).id(), Resource.CONTACTS);
        for (IdLink link : links.subList(0, (int) (links.size() * share))) {
          m365.mailbox(users.get(i)).contacts().delete(link.remoteId(), null);
          deleted++;
        }
      }
      m365.clock().advance(Duration.ofMinutes(5));
      store.clear();
      long start = System.nanoTime();
      for (Mailbox m : enrolled) {
        engine.syncMailbox(m.id());
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      long left = enrolled.stream().mapToLong(m -> crm.items(m.id()).size()).sum();
      if (left != (long) mailboxes * contacts - deleted) {
        throw new IllegalStateException(left + " CRM records left, expected "
            + ((long) mailboxes * contacts - deleted));
      }
      long writes = ContactMailboxes.stateWrites(store);
      return new Run(deleted, seconds, writes, mailboxes);
    }
  }
}
