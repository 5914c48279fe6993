package io.m365sync.testkit;

import io.m365sync.MailboxId;
import io.m365sync.crm.CrmChanges;
import io.m365sync.crm.CrmRecord;
import io.m365sync.crm.CrmStore;
import io.m365sync.model.SyncItem;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;

/**
 * A working CRM table in memory, for tests and examples: stable ids, versions, a change feed for
 * two-way sync, and counters of what the engine wrote. {@link #keeping} makes one that, like a host
 * table with a column per field it maps, stores only some fields. Thread-safe.
 */
public final class InMemoryCrmStore<T extends SyncItem> implements CrmStore<T> {
  private final String prefix;
  private final UnaryOperator<T> columns;
  private final AtomicLong ids = new AtomicLong();
  private final AtomicLong versions = new AtomicLong();
  private final Map<MailboxId, Map<String, CrmRecord<T>>> tables = new HashMap<>();
  private final List<Entry<T>> feed = new ArrayList<>();
  private long creates;
  private long saves;
  private long deletes;

  private record Entry<T extends SyncItem>(MailboxId mailbox, long version, CrmRecord<T> record) {}

  public InMemoryCrmStore(String prefix) {
    this(prefix, UnaryOperator.identity());
  }

  private InMemoryCrmStore(String prefix, UnaryOperator<T> columns) {
    this.prefix = prefix;
    this.columns = columns;
  }

  /**
   * A store that keeps of each saved item only what {@code columns} returns (e.g. a contact without
   * its job title and phones), and hands that back from {@code save}, {@code find} and the change feed.
   */
  public static <T extends SyncItem> InMemoryCrmStore<T> keeping(String prefix, UnaryOperator<T> columns) {
    return new InMemoryCrmStore<>(prefix, Objects.requireNonNull(columns, "columns"));
  }

  @Override
  public synchronized CrmRecord<T> save(MailboxId mailbox, String crmId, T item) {
    Objects.requireNonNull(item, "item");
    Map<String, CrmRecord<T>> table = tables.computeIfAbsent(mailbox, k -> new LinkedHashMap<>());
    String id = crmId;
    if (id == null) {
      id = prefix + "-" + ids.incrementAndGet();
      creates++;
    } else if (!table.containsKey(id)) {
      throw new IllegalArgumentException("no CRM record '" + crmId + "' for mailbox " + mailbox);
    }
    saves++;
    CrmRecord<T> record = new CrmRecord<>(id, versions.incrementAndGet(), columns.apply(item));
    table.put(id, record);
    feed.add(new Entry<>(mailbox, record.version(), record));
    return record;
  }

  @Override
  public synchronized void delete(MailboxId mailbox, String crmId) {
    Map<String, CrmRecord<T>> table = tables.get(mailbox);
    if (table != null && table.remove(crmId) != null) {
      deletes++;
      long v = versions.incrementAndGet();
      feed.add(new Entry<>(mailbox, v, new CrmRecord<>(crmId, v, null)));
    }
  }

  @Override
  public synchronized Optional<CrmRecord<T>> find(MailboxId mailbox, String crmId) {
    return Optional.ofNullable(tables.getOrDefault(mailbox, Map.of()).get(crmId));
  }

  @Override
  public synchronized List<CrmRecord<T>> list(MailboxId mailbox) {
    return List.copyOf(tables.getOrDefault(mailbox, Map.of()).values());
  }

  @Override
  public synchronized CrmChanges<T> changesSince(MailboxId mailbox, String watermark) {
    long since = watermark == null ? 0 : Long.parseLong(watermark);
    Map<String, CrmRecord<T>> latest = new LinkedHashMap<>();
    long max = since;
    for (Entry<T> e : feed) {
      if (e.mailbox().equals(mailbox) && e.version() > since) {
        latest.put(e.record().crmId(), e.record());
        max = Math.max(max, e.version());
      }
    }
    return new CrmChanges<>(List.copyOf(latest.values()), Long.toString(max));
  }

  /** The items of the mailbox's live records. */
  public synchronized List<T> items(MailboxId mailbox) {
    return list(mailbox).stream().map(CrmRecord::item).toList();
  }

  /** Live records that share a content key with another record of the mailbox: duplicates. */
  public synchronized int duplicates(MailboxId mailbox) {
    Map<String, Integer> byKey = new HashMap<>();
    for (CrmRecord<T> r : list(mailbox)) {
      byKey.merge(String.valueOf(r.item().matchKey()), 1, Integer::sum);
    }
    return byKey.values().stream().mapToInt(n -> n - 1).sum();
  }

  public synchronized long creates() {
    return creates;
  }

  public synchronized long saves() {
    return saves;
  }

  public synchronized long deletes() {
    return deletes;
  }
}
