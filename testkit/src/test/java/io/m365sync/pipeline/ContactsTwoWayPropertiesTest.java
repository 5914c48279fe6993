package io.m365sync.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.m365sync.MailboxId;
import io.m365sync.Resource;
import io.m365sync.crm.CrmRecord;
import io.m365sync.model.Contact;
import io.m365sync.model.ResourceType;
import io.m365sync.model.SyncItems;
import io.m365sync.sync.Conflict;
import io.m365sync.sync.ConflictJournal;
import io.m365sync.sync.ConflictPolicy;
import io.m365sync.sync.ResourceResult;
import io.m365sync.sync.ResourceSyncer;
import io.m365sync.sync.ResourceSyncers;
import io.m365sync.sync.TwoWayOptions;
import io.m365sync.testkit.InMemoryCrmStore;
import io.m365sync.testkit.model.ItemCollection;
import io.m365sync.testkit.model.StoredItem;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Two-way sync invariants in the spirit of vdirsyncer's stateful tests: random interleavings of
 * creates, updates and deletes on both sides, syncs, replays, 410 evictions and crashes between any
 * two steps (in the CRM, the gateway or the state store, before or after the call took effect).
 * After quiescence both sides hold the same contacts, none lost, none duplicated; items only one side
 * touched hold that side's last version; every concurrent edit was journaled as a conflict.
 */
class ContactsTwoWayPropertiesTest {

  enum Side { MICROSOFT, CRM }

  sealed interface Step permits MsCreate, MsUpdate, MsDelete, CrmCreate, CrmUpdate, CrmDelete, Sync, Evict, Replays,
      CrashNextSync {}

  record MsCreate() implements Step {}

  record MsUpdate(int pick) implements Step {}

  record MsDelete(int pick) implements Step {}

  record CrmCreate() implements Step {}

  record CrmUpdate(int pick) implements Step {}

  record CrmDelete(int pick) implements Step {}

  record Sync() implements Step {}

  record Evict() implements Step {}

  record Replays(int n) implements Step {}

  /** The process dies at the k-th CRM/gateway/state call of the next sync, before or after it took effect. */
  record CrashNextSync(int k, boolean afterEffect) implements Step {}

  @Provide
  Arbitrary<List<Step>> histories() {
    Arbitrary<Integer> pick = Arbitraries.integers().between(0, 5);
    Arbitrary<Step> step = Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(3, Arbitraries.just(new MsCreate())),
        net.jqwik.api.Tuple.of(3, pick.map(MsUpdate::new)),
        net.jqwik.api.Tuple.of(2, pick.map(MsDelete::new)),
        net.jqwik.api.Tuple.of(3, Arbitraries.just(new CrmCreate())),
        net.jqwik.api.Tuple.of(3, pick.map(CrmUpdate::new)),
        net.jqwik.api.Tuple.of(2, pick.map(CrmDelete::new)),
        net.jqwik.api.Tuple.of(4, Arbitraries.just(new Sync())),
        net.jqwik.api.Tuple.of(1, Arbitraries.just(new Evict())),
        net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(1, 3).map(Replays::new)),
        net.jqwik.api.Tuple.of(3, net.jqwik.api.Combinators.combine(Arbitraries.integers().between(1, 25),
            Arbitraries.of(true, false)).as(CrashNextSync::new)));
    return step.list().ofMaxSize(30);
  }

  @Provide
  Arbitrary<ConflictPolicy> policies() {
    return Arbitraries.of(ConflictPolicy.MICROSOFT_WINS, ConflictPolicy.CRM_WINS, ConflictPolicy.NEWEST_WINS);
  }

  // seed pinned so that CI runs the same 1,000 histories every time; drop it locally to explore new
  // ones (jqwik prints the seed and the shrunk history of any failure, to pin as a regression)
  @Property(tries = 1000, seed = "-5971344698870165344")
  void afterQuiescenceBothSidesHoldTheSameItemsOnceAndConflictsAreJournaled(
      @ForAll("histories") List<Step> history, @ForAll("policies") ConflictPolicy policy) {
    new Run(policy).play(history);
  }

  /** One history against a fresh tenant, with the oracle's bookkeeping. */
  static final class Run {
    final SyncBench bench = new SyncBench(Set.of(Resource.CONTACTS));
    final ItemCollection<Contact> ms = bench.box.contacts();
    final InMemoryCrmStore<Contact> crmTable = new InMemoryCrmStore<>("contact");
    final CrashingCrmStore<Contact> crm = new CrashingCrmStore<>(crmTable, bench.crash);
    final ConflictJournal journal = ConflictJournal.inMemory();
    final ResourceSyncer<Contact> syncer;
    final MailboxId mailbox = bench.mailbox.id();
    final Map<String, Set<Side>> touchedBy = new HashMap<>();
    final Map<String, Set<Side>> dirty = new HashMap<>();
    final Set<String> expectConflict = new HashSet<>();
    final Set<String> notSyncedSinceCreate = new HashSet<>();
    final Set<String> resurrectable = new HashSet<>();
    int names;
    int edits;

    Run(ConflictPolicy policy) {
      syncer = ResourceSyncers.twoWay(ResourceType.CONTACTS, crm, TwoWayOptions.<Contact>builder()
          .policy(policy).journal(journal).massChangeGuard(1.0, 0).build());
    }

    void play(List<Step> history) {
      for (Step s : history) {
        step(s);
      }
      bench.crash.disarm();
      for (int i = 0; i < 3; i++) {
        sync();
      }
      check();
    }

    void step(Step s) {
      if (s instanceof MsCreate) {
        String email = "m" + (++names) + "@example.com";
        ms.create(contact(email, "new", null));
        notSyncedSinceCreate.add(email);
      } else if (s instanceof CrmCreate) {
        String email = "k" + (++names) + "@example.com";
        crmTable.save(mailbox, null, contact(email, "new", null));
        notSyncedSinceCreate.add(email);
      } else if (s instanceof MsUpdate u) {
        StoredItem<Contact> it = pick(msItems(), u.pick());
        if (it != null) {
          touch(email(it.item()), Side.MICROSOFT);
          Contact next = edited(it.item());
          lastMs.put(email(next), SyncItems.withoutReservedExtensions(next));
          ms.update(it.id(), null, next);
        }
      } else if (s instanceof MsDelete d) {
        StoredItem<Contact> it = pick(msItems(), d.pick());
        if (it != null) {
          touch(email(it.item()), Side.MICROSOFT);
          lastMs.put(email(it.item()), null);
          if (notSyncedSinceCreate.contains(email(it.item()))) {
            // it reached Microsoft 365 in a round that crashed right after the create: on restart nobody can
            // tell "never created" from "created, then deleted" (no trace in a full delta), so it may come back
            resurrectable.add(email(it.item()));
          }
          ms.delete(it.id(), null);
        }
      } else if (s instanceof CrmUpdate u) {
        CrmRecord<Contact> r = pick(crmRecords(), u.pick());
        if (r != null) {
          touch(email(r.item()), Side.CRM);
          Contact next = edited(r.item());
          lastCrm.put(email(next), SyncItems.withoutReservedExtensions(next));
          crmTable.save(mailbox, r.crmId(), next);
        }
      } else if (s instanceof CrmDelete d) {
        CrmRecord<Contact> r = pick(crmRecords(), d.pick());
        if (r != null) {
          touch(email(r.item()), Side.CRM);
          lastCrm.put(email(r.item()), null);
          if (notSyncedSinceCreate.contains(email(r.item()))) {
            resurrectable.add(email(r.item())); // the same ambiguity, CRM side
          }
          crmTable.delete(mailbox, r.crmId());
        }
      } else if (s instanceof Sync) {
        sync();
      } else if (s instanceof Evict) {
        ms.evictDeltaTokens();
      } else if (s instanceof Replays r) {
        ms.replayLast(r.n());
      } else if (s instanceof CrashNextSync c) {
        bench.crash.arm(c.k(), c.afterEffect());
      }
    }

    void sync() {
      Set<String> onMs = msItems().stream().map(i -> email(i.item())).collect(Collectors.toSet());
      Set<String> onCrm = crmRecords().stream().map(r -> email(r.item())).collect(Collectors.toSet());
      ResourceResult r = bench.roundSurvivingCrash(syncer);
      if (r == null) {
        // a crashed attempt may have carried a one-sided edit across already, and may have crashed
        // before it saw (and journaled) a two-sided one: only two-sided edits carry over
        dirty.values().removeIf(sides -> sides.size() < 2);
        return;
      }
      // edits on both sides since the last completed attempt are a conflict, unless the users
      // themselves resolved it meanwhile (deleted on both sides)
      dirty.forEach((email, sides) -> {
        if (sides.size() == 2 && (onMs.contains(email) || onCrm.contains(email)) && !resurrectable.contains(email)) {
          expectConflict.add(email);
        }
      });
      dirty.clear();
      assertThat(r.outcome()).isEqualTo(ResourceResult.Outcome.SYNCED);
      notSyncedSinceCreate.clear();
    }

    void touch(String email, Side side) {
      touchedBy.computeIfAbsent(email, k -> EnumSet.noneOf(Side.class)).add(side);
      dirty.computeIfAbsent(email, k -> EnumSet.noneOf(Side.class)).add(side);
    }

    Contact edited(Contact c) {
      Map<String, String> ext = new HashMap<>(c.extensions()); // both sides keep hidden fields on edit
      edits++;
      ext.put(TwoWayOptions.LAST_MODIFIED, bench.m365.clock().instant().plusSeconds(edits).toString());
      return new Contact(c.givenName(), c.surname(), c.displayName(), c.emailAddresses(), c.phones(), c.companyName(),
          "edit " + edits, ext);
    }

    List<StoredItem<Contact>> msItems() {
      List<StoredItem<Contact>> l = new ArrayList<>(ms.all());
      l.sort(Comparator.comparing(i -> email(i.item())));
      return l;
    }

    List<CrmRecord<Contact>> crmRecords() {
      List<CrmRecord<Contact>> l = new ArrayList<>(crmTable.list(mailbox));
      l.sort(Comparator.comparing(r -> email(r.item())));
      return l;
    }

    void check() {
      Map<String, Contact> msByEmail = byEmail(msItems().stream().map(StoredItem::item).toList());
      Map<String, Contact> crmByEmail = byEmail(crmRecords().stream().map(CrmRecord::item).toList());
      assertThat(msItems()).as("no duplicates in Microsoft 365").hasSameSizeAs(msByEmail.keySet());
      assertThat(crmRecords()).as("no duplicates in the CRM").hasSameSizeAs(crmByEmail.keySet());
      assertThat(crmByEmail).as("both sides hold the same contacts").isEqualTo(msByEmail);
      assertThat(bench.durable.links(mailbox, Resource.CONTACTS)).as("every pair linked").hasSize(msByEmail.size());
      for (String email : touchedBy.keySet()) {
        if (touchedBy.get(email).size() == 1) {
          // only one side ever touched it after creation: that side's version survives, deletion included
          Side side = touchedBy.get(email).iterator().next();
          Contact truth = side == Side.MICROSOFT ? lastMs.get(email) : lastCrm.get(email);
          if (truth == null && resurrectable.contains(email)) {
            continue;
          }
          assertThat(msByEmail.get(email)).as("%s touched only on %s", email, side).isEqualTo(truth);
        }
      }
      Set<String> journaled = new HashSet<>();
      for (Conflict c : journal.entries(mailbox)) {
        for (Object item : new Object[] {c.crmItem(), c.microsoftItem()}) {
          if (item instanceof Contact contact) {
            journaled.add(email(contact));
          }
        }
      }
      assertThat(journaled).as("concurrent edits journaled").containsAll(expectConflict);
    }

    // the last state each side gave an item (null: deleted), recorded as the history plays
    final Map<String, Contact> lastMs = new HashMap<>();
    final Map<String, Contact> lastCrm = new HashMap<>();

    static Map<String, Contact> byEmail(List<Contact> items) {
      return items.stream().collect(Collectors.toMap(ContactsTwoWayPropertiesTest::email,
          c -> SyncItems.withoutReservedExtensions(c), (a, b) -> a, HashMap::new));
    }
  }

  static <X> X pick(List<X> items, int n) {
    return items.isEmpty() ? null : items.get(n % items.size());
  }

  static String email(Contact c) {
    return c.emailAddresses().get(0);
  }

  static Contact contact(String email, String title, Map<String, String> ext) {
    return new Contact("Given", email.substring(0, email.indexOf('@')), null, List.of(email), List.of(), null, title, ext);
  }
}
