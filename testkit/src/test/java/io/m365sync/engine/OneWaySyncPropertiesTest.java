package io.m365sync.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.m365sync.Mailbox;
import io.m365sync.MailboxId;
import io.m365sync.Resource;
import io.m365sync.SyncEngine;
import io.m365sync.resource.Contact;
import io.m365sync.resource.CrmChanges;
import io.m365sync.resource.CrmRecord;
import io.m365sync.resource.CrmStore;
import io.m365sync.resource.ResourceSyncers;
import io.m365sync.resource.ResourceType;
import io.m365sync.state.IdLink;
import io.m365sync.testkit.FakeMicrosoft365;
import io.m365sync.testkit.InMemoryCrmStore;
import io.m365sync.testkit.model.ItemCollection;
import io.m365sync.testkit.model.ModelUser;
import io.m365sync.testkit.model.StoredItem;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Microsoft 365 → CRM sync invariants under random histories: whatever the interleaving of
 * creates, updates and deletes in the mailbox, syncs, delta-token evictions (410), replays and
 * CRM outages mid-round (before a write, or after it with the answer lost), once things calm down the CRM holds exactly the mailbox's items, each
 * once, and the id map links every record.
 */
class OneWaySyncPropertiesTest {

  sealed interface Step permits Create, Update, Delete, Sync, Evict, Replays, CrmOutage {}

  record Create(int n) implements Step {}

  record Update(int n) implements Step {}

  record Delete(int n) implements Step {}

  record Sync() implements Step {}

  record Evict() implements Step {}

  record Replays(int n) implements Step {}

  /** The CRM fails on the k-th save of the next sync, mid-page: before writing, or after (the link is lost). */
  record CrmOutage(int k, boolean afterWrite) implements Step {}

  @Provide
  Arbitrary<List<Step>> histories() {
    Arbitrary<Step> step = Arbitraries.oneOf(
        Arbitraries.integers().between(0, 7).map(Create::new),
        Arbitraries.integers().between(0, 7).map(Update::new),
        Arbitraries.integers().between(0, 7).map(Delete::new),
        Arbitraries.just(new Sync()),
        Arbitraries.just(new Sync()),
        Arbitraries.just(new Evict()),
        Arbitraries.integers().between(0, 3).map(Replays::new),
        Arbitraries.integers().between(1, 4).flatMap(k -> Arbitraries.of(true, false).map(after -> new CrmOutage(k, after))));
    return step.list().ofMaxSize(30);
  }

  // seed pinned so that CI runs the same 1,000 histories every time; drop it locally to explore new
  // ones (jqwik prints the seed and the shrunk history of any failure, to pin as a regression)
  @Property(tries = 1000, seed = "-5731399115109806362")
  void afterQuiescenceTheCrmMirrorsTheMailboxExactlyOnce(@ForAll("histories") List<Step> history) {
    FakeMicrosoft365 m365 = FakeMicrosoft365.create();
    ModelUser user = m365.addUser("prop");
    ItemCollection<Contact> contacts = m365.mailbox(user).contacts();
    FlakyCrm crm = new FlakyCrm();
    SyncEngine engine = SyncEngine.builder().clock(m365.clock()).gateway(m365.gateway())
        .delegatedTokens(m365.delegatedTokens())
        .resource(ResourceSyncers.oneWay(ResourceType.CONTACTS, crm))
        .options(io.m365sync.SyncOptions.defaults().withPageSize(3))
        .build();
    Mailbox mailbox = m365.signIn(user, Set.of(Resource.CONTACTS));
    engine.enroll(mailbox);
    Map<Integer, String> ids = new HashMap<>();
    Map<Integer, Integer> versions = new HashMap<>();

    for (Step s : history) {
      if (s instanceof Create c && !ids.containsKey(c.n())) {
        versions.put(c.n(), 0);
        ids.put(c.n(), contacts.create(contact(c.n(), 0)).id());
      } else if (s instanceof Update u && ids.containsKey(u.n())) {
        int v = versions.merge(u.n(), 1, Integer::sum);
        contacts.update(ids.get(u.n()), null, contact(u.n(), v));
      } else if (s instanceof Delete d && ids.containsKey(d.n())) {
        contacts.delete(ids.remove(d.n()), null);
      } else if (s instanceof Sync) {
        syncSoon(engine, m365, mailbox.id());
      } else if (s instanceof Evict) {
        contacts.evictDeltaTokens();
      } else if (s instanceof Replays r) {
        contacts.replayLast(r.n());
      } else if (s instanceof CrmOutage o) {
        crm.failOnSave(o.k(), o.afterWrite());
      }
    }
    crm.failOnSave(0, false);
    // quiescence: changes made while a round runs show up in the next round, as in Graph
    syncSoon(engine, m365, mailbox.id());
    syncSoon(engine, m365, mailbox.id());

    List<Contact> expected = contacts.all().stream().map(StoredItem::item).sorted(BY_EMAIL).toList();
    assertThat(crm.items(mailbox.id()).stream().sorted(BY_EMAIL).toList()).isEqualTo(expected);
    List<IdLink> links = engine.stateStore().links(mailbox.id(), Resource.CONTACTS);
    assertThat(links).hasSize(expected.size());
    for (IdLink link : links) {
      Optional<StoredItem<Contact>> remote = contacts.get(link.remoteId());
      assertThat(remote).isPresent();
      assertThat(crm.find(mailbox.id(), link.crmId()).orElseThrow().item()).isEqualTo(remote.get().item());
    }
  }

  private static void syncSoon(SyncEngine engine, FakeMicrosoft365 m365, MailboxId id) {
    m365.clock().advance(Duration.ofMinutes(1));
    engine.syncMailbox(id); // a failed round leaves the cursor where the CRM last caught up
  }

  private static final java.util.Comparator<Contact> BY_EMAIL = java.util.Comparator.comparing(c -> c.emailAddresses().get(0));

  private static Contact contact(int n, int version) {
    return Contact.of("Contact" + n, "v" + version, "c" + n + "@example.com");
  }

  /** A CRM that goes down on its k-th save (once), as a database would mid-page. */
  static final class FlakyCrm implements CrmStore<Contact> {
    private final InMemoryCrmStore<Contact> delegate = new InMemoryCrmStore<>("contact");
    private int failAt;
    private boolean afterWrite;

    void failOnSave(int k, boolean afterWriting) {
      failAt = k;
      afterWrite = afterWriting;
    }

    List<Contact> items(MailboxId mailbox) {
      return delegate.items(mailbox);
    }

    @Override
    public CrmRecord<Contact> save(MailboxId mailbox, String crmId, Contact item) {
      if (failAt > 0 && --failAt == 0) {
        if (afterWrite) {
          delegate.save(mailbox, crmId, item); // written, but the answer never reaches the engine
        }
        throw new IllegalStateException("CRM database unavailable");
      }
      return delegate.save(mailbox, crmId, item);
    }

    @Override
    public void delete(MailboxId mailbox, String crmId) {
      delegate.delete(mailbox, crmId);
    }

    @Override
    public Optional<CrmRecord<Contact>> find(MailboxId mailbox, String crmId) {
      return delegate.find(mailbox, crmId);
    }

    @Override
    public List<CrmRecord<Contact>> list(MailboxId mailbox) {
      return delegate.list(mailbox);
    }

    @Override
    public CrmChanges<Contact> changesSince(MailboxId mailbox, String watermark) {
      return delegate.changesSince(mailbox, watermark);
    }
  }
}
