package io.m365sync.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.m365sync.MailboxId;
import io.m365sync.Resource;
import io.m365sync.model.SyncItems;
import io.m365sync.model.EmailAddress;
import io.m365sync.model.MailMessage;
import io.m365sync.sync.MailOptions;
import io.m365sync.sync.ResourceResult;
import io.m365sync.sync.ResourceSyncer;
import io.m365sync.sync.ResourceSyncers;
import io.m365sync.testkit.FlakyCrmStore;
import io.m365sync.testkit.model.StoredItem;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * Mail capture (Microsoft 365 → CRM) over Inbox and Sent Items under random histories: messages
 * arriving (some from senders the host's filter excludes, some with attachments over the size cap),
 * copied, moved between Inbox, Sent Items and an unsynced Archive, deleted in Outlook; rounds, 410
 * evictions, replays, CRM outages mid-round (before a save, or after it with the answer lost),
 * crashes at any CRM, gateway or state-store call, clock jumps and a fresh syncer. As
 * {@link MailOptions} documents, captured mail stays in the CRM whatever happens to the message in
 * Outlook. After quiet rounds every message that sat in a synced folder during a completed round, or
 * sits there now, is in the CRM exactly once (by Internet Message-ID) with its content; nothing is
 * captured that never sat in a synced folder or that the filter excludes.
 */
class MailCapturePropertiesTest {
  static final List<String> FOLDERS = List.of("inbox", "sentitems", "archive");
  static final int SYNCED = 2; // the first two folders
  static final long CAP = 10_000_000;
  static final Predicate<MailMessage> FILTER = m -> !m.from().address().endsWith("@spam.com");

  sealed interface Step permits Arrive, Copy, Move, Delete, Sync, Evict, Replays, CrmOutage, CrashNextSync, Jump,
      Restart {}

  /** Message {@code n} arrives in a folder (once). */
  record Arrive(int n, int folder) implements Step {}

  /** A copy of a live message (same Internet Message-ID, new item) lands in a folder. */
  record Copy(int pick, int folder) implements Step {}

  record Move(int pick, int folder) implements Step {}

  record Delete(int pick) implements Step {}

  record Sync() implements Step {}

  record Evict(int folder) implements Step {}

  record Replays(int folder, int n) implements Step {}

  record CrmOutage(int k, boolean afterWrite) implements Step {}

  record CrashNextSync(int k, boolean afterEffect) implements Step {}

  record Jump(int days) implements Step {}

  record Restart() implements Step {}

  @Provide
  Arbitrary<List<Step>> histories() {
    Arbitrary<Integer> pick = Arbitraries.integers().between(0, 7);
    Arbitrary<Integer> folder = Arbitraries.integers().between(0, FOLDERS.size() - 1);
    Arbitrary<Integer> synced = Arbitraries.integers().between(0, SYNCED - 1);
    Arbitrary<Boolean> after = Arbitraries.of(true, false);
    Arbitrary<Step> step = Arbitraries.frequencyOf(
        Tuple.of(4, Combinators.combine(Arbitraries.integers().between(0, 11), folder).as(Arrive::new)),
        Tuple.of(1, Combinators.combine(pick, folder).as(Copy::new)),
        Tuple.of(3, Combinators.combine(pick, folder).as(Move::new)),
        Tuple.of(2, pick.map(Delete::new)),
        Tuple.of(4, Arbitraries.just(new Sync())),
        Tuple.of(1, synced.map(Evict::new)),
        Tuple.of(1, Combinators.combine(synced, Arbitraries.integers().between(1, 3)).as(Replays::new)),
        Tuple.of(1, Combinators.combine(Arbitraries.integers().between(1, 4), after).as(CrmOutage::new)),
        Tuple.of(2, Combinators.combine(Arbitraries.integers().between(1, 20), after).as(CrashNextSync::new)),
        Tuple.of(1, Arbitraries.integers().between(1, 120).map(Jump::new)),
        Tuple.of(1, Arbitraries.just(new Restart())));
    return step.list().ofMaxSize(30);
  }

  // seed pinned so that CI runs the same 1,000 histories every time; drop it locally to explore new
  // ones (jqwik prints the seed and the shrunk history of any failure, to pin as a regression)
  @Property(tries = 1000, seed = "6613059140775322811")
  void afterQuiescenceEveryCapturedMessageIsInTheCrmExactlyOnce(@ForAll("histories") List<Step> history) {
    new Run().play(history);
  }

  /**
   * A capture whose round crashed after the CRM save, before its link: the next round links the
   * orphan although its message has left the synced folders; a copy arriving later must find it.
   */
  @Example
  void aCopyOfAMessageWhoseCaptureCrashedAndWasReLinkedIsNotCapturedAgain() {
    for (boolean afterEffect : new boolean[] {false, true}) {
      // crash just after the CRM save (the fourth call), or just before the commit of its link (the fifth)
      new Run().play(List.of(new CrashNextSync(afterEffect ? 4 : 5, afterEffect), new Arrive(1, 0), new Sync(),
          new Move(0, 2), new Sync(), new Copy(0, 1)));
    }
  }

  /** One history against a fresh tenant, with the oracle's bookkeeping. */
  static final class Run {
    final SyncBench bench = new SyncBench(Set.of(Resource.MAIL));
    final MailboxId mailbox = bench.mailbox.id();
    final FlakyCrmStore<MailMessage> crmTable = new FlakyCrmStore<>("mail");
    final CrashingCrmStore<MailMessage> crm = new CrashingCrmStore<>(crmTable, bench.crash);
    final Set<Integer> arrived = new HashSet<>();
    final Set<String> mustHave = new HashSet<>(); // sat in a synced folder during a completed round
    final Set<String> mayHave = new HashSet<>(); // ever sat in a synced folder
    ResourceSyncer<MailMessage> syncer = newSyncer();
    CrmOutage outage;

    Run() {
      bench.box.addMailFolder("archive");
    }

    ResourceSyncer<MailMessage> newSyncer() {
      return ResourceSyncers.mail(crm, MailOptions.defaults().withCapture(FILTER).withMaxAttachmentSize(CAP));
    }

    void play(List<Step> history) {
      for (Step s : history) {
        step(s);
        inSyncedFolders().forEach(mayHave::add);
      }
      bench.crash.disarm();
      for (int i = 0; i < 2; i++) {
        Set<String> present = inSyncedFolders();
        ResourceResult r = bench.round(syncer);
        assertThat(r.outcome()).isEqualTo(ResourceResult.Outcome.SYNCED);
        mustHave.addAll(present);
      }
      check();
    }

    void step(Step s) {
      if (s instanceof Arrive a && arrived.add(a.n())) {
        bench.box.mail(FOLDERS.get(a.folder())).create(message(a.n()));
      } else if (s instanceof Copy c) {
        Located it = pick(live(), c.pick());
        if (it != null) {
          bench.box.mail(FOLDERS.get(c.folder())).create(it.item());
        }
      } else if (s instanceof Move m) {
        Located it = pick(live(), m.pick());
        if (it != null) {
          bench.box.moveMessage(it.id(), FOLDERS.get(m.folder()));
        }
      } else if (s instanceof Delete d) {
        Located it = pick(live(), d.pick());
        if (it != null) {
          bench.box.mail(it.folder()).delete(it.id(), null);
        }
      } else if (s instanceof Sync) {
        sync();
      } else if (s instanceof Evict e) {
        bench.box.mail(FOLDERS.get(e.folder())).evictDeltaTokens();
      } else if (s instanceof Replays r) {
        bench.box.mail(FOLDERS.get(r.folder())).replayLast(r.n());
      } else if (s instanceof CrmOutage o) {
        outage = o;
      } else if (s instanceof CrashNextSync c) {
        bench.crash.arm(c.k(), c.afterEffect());
      } else if (s instanceof Jump j) {
        bench.m365.clock().advance(Duration.ofDays(j.days()));
        bench.m365.signIn(bench.user, Set.of(Resource.MAIL));
      } else if (s instanceof Restart) {
        syncer = newSyncer();
      }
    }

    /** A round that may crash (the next one runs in a fresh process) or meet a CRM outage. */
    void sync() {
      if (outage != null) {
        crmTable.failOnSave(outage.k(), outage.afterWrite());
        outage = null;
      }
      Set<String> present = inSyncedFolders();
      try {
        bench.round(syncer);
        mustHave.addAll(present);
      } catch (Crash.CrashException e) {
        syncer = newSyncer();
      } catch (RuntimeException e) {
        if (!TwoWayHistory.crmOutage(e)) {
          throw e;
        }
      } finally {
        bench.crash.disarm();
        crmTable.failOnSave(0, false);
      }
    }

    void check() {
      List<MailMessage> captured = crmTable.items(mailbox).stream().map(SyncItems::withoutReservedExtensions).toList();
      List<String> ids = captured.stream().map(MailMessage::internetMessageId).toList();
      assertThat(ids).as("each message once").doesNotHaveDuplicates();
      assertThat(ids).as("every message seen in a synced folder by a completed round").containsAll(mustHave);
      assertThat(mayHave).as("only messages that sat in a synced folder and pass the filter").containsAll(ids);
      for (MailMessage m : captured) {
        assertThat(m).as("captured content").isEqualTo(expected(m.internetMessageId()));
      }
    }

    /** Internet Message-IDs of the messages in Inbox and Sent Items that the filter lets through. */
    Set<String> inSyncedFolders() {
      Set<String> ids = new HashSet<>();
      for (String f : FOLDERS.subList(0, SYNCED)) {
        bench.box.mail(f).all().stream().map(StoredItem::item).filter(FILTER)
            .forEach(m -> ids.add(m.internetMessageId()));
      }
      return ids;
    }

    List<Located> live() {
      List<Located> all = new ArrayList<>();
      for (String f : FOLDERS) {
        bench.box.mail(f).all().forEach(it -> all.add(new Located(f, it.id(), it.item())));
      }
      // in an order the history decides (item ids are random): copies in one folder are alike
      all.sort(Comparator.comparing((Located l) -> l.item().internetMessageId()).thenComparing(Located::folder)
          .thenComparing(Located::id));
      return all;
    }
  }

  record Located(String folder, String id, MailMessage item) {}

  static <X> X pick(List<X> items, int n) {
    return items.isEmpty() ? null : items.get(n % items.size());
  }

  static final Instant RECEIVED = Instant.parse("2026-01-05T08:00:00Z");
  static final MailMessage.Attachment SMALL = new MailMessage.Attachment("offer.pdf", "application/pdf", 200_000);
  static final MailMessage.Attachment BIG = new MailMessage.Attachment("video.mp4", "video/mp4", 50_000_000);

  /** Every fourth message is a newsletter the filter excludes; every third carries an attachment over the cap. */
  static MailMessage message(int n) {
    String from = n % 4 == 0 ? "news@spam.com" : "c" + n + "@customer.com";
    return new MailMessage("Message " + n, EmailAddress.of(from), List.of(EmailAddress.of("bench@contoso.com")),
        List.of(), RECEIVED.plusSeconds(n), "Hello " + n, msgId(n), null,
        n % 3 == 0 ? List.of(SMALL, BIG) : List.of(SMALL), Map.of());
  }

  static String msgId(int n) {
    return "<m" + n + "@example.com>";
  }

  /** The message as the CRM captures it: attachments over the cap left out and counted. */
  static MailMessage expected(String internetMessageId) {
    int n = Integer.parseInt(internetMessageId.substring(2, internetMessageId.indexOf('@')));
    MailMessage m = message(n);
    return m.attachments().contains(BIG)
        ? new MailMessage(m.subject(), m.from(), m.to(), m.cc(), m.receivedAt(), m.bodyPreview(), m.internetMessageId(),
            m.folderId(), List.of(SMALL), Map.of(MailOptions.ATTACHMENTS_OMITTED, "1"))
        : m;
  }
}
