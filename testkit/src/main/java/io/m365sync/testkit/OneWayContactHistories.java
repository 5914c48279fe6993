package io.m365sync.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.m365sync.MailboxId;
import io.m365sync.Resource;
import io.m365sync.SyncEngine;
import io.m365sync.crm.CrmStore;
import io.m365sync.model.Contact;
import io.m365sync.state.IdLink;
import io.m365sync.testkit.model.ItemCollection;
import io.m365sync.testkit.model.StoredItem;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

/**
 * Random histories of one mailbox's contacts synced one way (Microsoft 365 → CRM), and their oracle:
 * whatever the interleaving of creates, updates and deletes in the mailbox, syncs, delta-token
 * evictions (410), replayed delta entries and CRM outages mid-round (before a write, or after it with
 * the answer lost), once things calm down the CRM holds exactly the mailbox's contacts, each once, and
 * the id map links every record to a live item with the same content.
 *
 * <p>One copy for every world the histories run in: the in-memory fakes and the HTTP emulator with the
 * production adapters. Needs jqwik's API (an optional dependency of this module) for {@link #histories()}.
 */
public final class OneWayContactHistories {
  private OneWayContactHistories() {}

  /** One step of a history. */
  public sealed interface Step permits Create, Update, Delete, Sync, Evict, Replays, CrmOutage {}

  public record Create(int n) implements Step {}

  public record Update(int n) implements Step {}

  public record Delete(int n) implements Step {}

  public record Sync() implements Step {}

  /** Outlook evicts the delta tokens: the next incremental read gets 410. */
  public record Evict() implements Step {}

  /** The next delta read returns the last {@code n} changes again. */
  public record Replays(int n) implements Step {}

  /** The CRM fails on the k-th save of the next sync, mid-page: before writing, or after (the link is lost). */
  public record CrmOutage(int k, boolean afterWrite) implements Step {}

  /** The engine under test and the enrolled mailbox whose contacts it syncs into the given CRM. */
  public record Target(SyncEngine engine, MailboxId mailbox) {}

  /** Histories of up to 30 steps over 8 contacts. */
  public static Arbitrary<List<Step>> histories() {
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

  /**
   * Runs {@code history} against {@code contacts} (the mailbox's contact folder in the model) and
   * checks the oracle.
   *
   * @param enroll builds an engine that syncs {@link Resource#CONTACTS} one way into the CRM it is
   *     given (page size 3) and enrolls the mailbox; called once
   * @throws AssertionError when the CRM does not mirror the mailbox exactly once after quiescence
   */
  public static void check(List<Step> history, MutableClock clock, ItemCollection<Contact> contacts,
                           Function<CrmStore<Contact>, Target> enroll) {
    FlakyCrmStore<Contact> crm = new FlakyCrmStore<>("contact");
    Target target = enroll.apply(crm);
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
        syncSoon(target, clock);
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
    syncSoon(target, clock);
    syncSoon(target, clock);

    MailboxId mailbox = target.mailbox();
    List<Contact> expected = contacts.all().stream().map(StoredItem::item).sorted(BY_EMAIL).toList();
    assertEquals(expected, crm.items(mailbox).stream().sorted(BY_EMAIL).toList(), "CRM contacts vs the mailbox's");
    List<IdLink> links = target.engine().stateStore().links(mailbox, Resource.CONTACTS);
    assertEquals(expected.size(), links.size(), "id links");
    for (IdLink link : links) {
      Optional<StoredItem<Contact>> remote = contacts.get(link.remoteId());
      assertTrue(remote.isPresent(), () -> "a link to a deleted item: " + link);
      assertEquals(remote.get().item(), crm.find(mailbox, link.crmId()).orElseThrow().item(), "linked record's content");
    }
  }

  private static void syncSoon(Target target, MutableClock clock) {
    clock.advance(Duration.ofMinutes(1));
    target.engine().syncMailbox(target.mailbox()); // a failed round leaves the cursor where the CRM last caught up
  }

  private static final Comparator<Contact> BY_EMAIL = Comparator.comparing(c -> c.emailAddresses().get(0));

  private static Contact contact(int n, int version) {
    return Contact.of("Contact" + n, "v" + version, "c" + n + "@example.com");
  }
}
