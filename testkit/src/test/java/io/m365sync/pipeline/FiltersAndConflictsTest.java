package io.m365sync.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.m365sync.MailboxId;
import io.m365sync.Resource;
import io.m365sync.crm.CrmRecord;
import io.m365sync.model.Contact;
import io.m365sync.model.ResourceType;
import io.m365sync.model.TodoTask;
import io.m365sync.sync.Conflict;
import io.m365sync.sync.ConflictJournal;
import io.m365sync.sync.ConflictResolver;
import io.m365sync.sync.ResourceSyncer;
import io.m365sync.sync.ResourceSyncers;
import io.m365sync.sync.TwoWayOptions;
import io.m365sync.testkit.InMemoryCrmStore;
import io.m365sync.testkit.model.StoredItem;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Filter drop-outs are not deletions; conflicts go to the journal and the host resolver; tasks sync both ways. */
class FiltersAndConflictsTest {
  final SyncBench bench = new SyncBench(EnumSet.of(Resource.CONTACTS, Resource.TASKS));
  final MailboxId mailbox = bench.mailbox.id();
  final InMemoryCrmStore<Contact> crm = new InMemoryCrmStore<>("contact");
  final ConflictJournal journal = ConflictJournal.inMemory();

  static Contact titled(Contact c, String title) {
    return c.withJobTitle(title).withExtensions(c.extensions());
  }

  @Test
  void aContactLeavingAFilterIsNotDeletedOnTheOtherSide() {
    ResourceSyncer<Contact> syncer = ResourceSyncers.twoWay(ResourceType.CONTACTS, crm, TwoWayOptions.<Contact>builder()
        .microsoftFilter(c -> !"private".equals(c.jobTitle())).crmFilter(c -> !"inactive".equals(c.jobTitle())).build());
    String ada = bench.box.contacts().create(Contact.of("Ada", "Lovelace", "ada@example.com")).id();
    CrmRecord<Contact> alan = crm.save(mailbox, null, Contact.of("Alan", "Turing", "alan@example.com"));
    bench.round(syncer);
    assertThat(crm.list(mailbox)).hasSize(2);
    assertThat(bench.box.contacts().all()).hasSize(2);

    StoredItem<Contact> a = bench.box.contacts().get(ada).orElseThrow();
    bench.box.contacts().update(ada, null, titled(a.item(), "private"));
    crm.save(mailbox, alan.crmId(), titled(crm.find(mailbox, alan.crmId()).orElseThrow().item(), "inactive"));
    bench.round(syncer);
    bench.round(syncer);

    assertThat(crm.list(mailbox)).hasSize(2);
    assertThat(bench.box.contacts().all()).hasSize(2);
    assertThat(crm.deletes()).isZero();
    assertThat(crm.items(mailbox)).extracting(Contact::jobTitle).doesNotContain("private");
    assertThat(bench.box.contacts().all()).extracting(s -> s.item().jobTitle()).doesNotContain("inactive");
  }

  @Test
  void aConcurrentEditIsJournaledAndDecidedByTheHostResolver() {
    ResourceSyncer<Contact> syncer = ResourceSyncers.twoWay(ResourceType.CONTACTS, crm, TwoWayOptions.<Contact>builder()
        .journal(journal)
        .resolver(p -> ConflictResolver.Resolution.merged(p.crmItem().withJobTitle(p.crmItem().jobTitle() + " / "
            + p.microsoftItem().jobTitle())))
        .build());
    String id = bench.box.contacts().create(Contact.of("Ada", "Lovelace", "ada@example.com")).id();
    bench.round(syncer);
    CrmRecord<Contact> rec = crm.list(mailbox).get(0);
    crm.save(mailbox, rec.crmId(), titled(rec.item(), "CTO"));
    bench.box.contacts().update(id, null, titled(bench.box.contacts().get(id).orElseThrow().item(), "Countess"));
    bench.round(syncer);
    bench.round(syncer);

    assertThat(journal.entries(mailbox)).singleElement().satisfies(c -> {
      assertThat(c.kind()).isEqualTo(Conflict.Kind.BOTH_CHANGED);
      assertThat(c.winner()).isEqualTo(Conflict.Winner.MERGED);
      assertThat(c.crmId()).isEqualTo(rec.crmId());
      assertThat(c.remoteId()).isEqualTo(id);
    });
    assertThat(crm.items(mailbox)).extracting(Contact::jobTitle).containsExactly("CTO / Countess");
    assertThat(bench.box.contacts().get(id).orElseThrow().item().jobTitle()).isEqualTo("CTO / Countess");
  }

  @Test
  void tasksSyncBothWaysAcrossConfiguredLists() {
    bench.box.addTaskList("deals");
    InMemoryCrmStore<TodoTask> tasks = new InMemoryCrmStore<>("task");
    ResourceSyncer<TodoTask> syncer = ResourceSyncers.twoWay(ResourceType.TASKS, tasks,
        TwoWayOptions.<TodoTask>builder().containers(List.of("tasks", "deals")).build());
    Instant due = Instant.parse("2026-02-01T00:00:00Z");
    bench.box.tasks().create(TodoTask.of("Call Ada", due));
    bench.box.tasks("deals").create(TodoTask.of("Send offer", due));
    tasks.save(mailbox, null, TodoTask.of("Prepare demo", due));
    bench.round(syncer);
    bench.round(syncer);

    assertThat(tasks.items(mailbox)).extracting(TodoTask::title)
        .containsExactlyInAnyOrder("Call Ada", "Send offer", "Prepare demo");
    assertThat(bench.box.tasks().all().size() + bench.box.tasks("deals").all().size()).isEqualTo(3);
    assertThat(tasks.creates()).isEqualTo(3);
    Set<String> titles = new java.util.HashSet<>();
    bench.box.tasks().all().forEach(s -> titles.add(s.item().title()));
    assertThat(titles).contains("Prepare demo");
  }
}
