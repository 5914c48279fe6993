package io.m365sync.internal.sync;

import io.m365sync.Checks;
import io.m365sync.MailboxId;
import io.m365sync.sync.Conflict;
import io.m365sync.sync.ConflictJournal;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** {@link ConflictJournal#inMemory(int)}: a bounded list per mailbox. Thread-safe. */
public final class InMemoryConflictJournal implements ConflictJournal {
  private final int capacity;
  private final Map<MailboxId, Deque<Conflict>> entries = new HashMap<>();

  public InMemoryConflictJournal(int capacity) {
    this.capacity = Checks.requireAtLeast(capacity, 1, "capacity");
  }

  @Override
  public synchronized void record(Conflict conflict) {
    Checks.requireNonNull(conflict, "conflict");
    Deque<Conflict> q = entries.computeIfAbsent(conflict.mailbox(), k -> new ArrayDeque<>());
    q.addLast(conflict);
    while (q.size() > capacity) {
      q.removeFirst();
    }
  }

  @Override
  public synchronized List<Conflict> entries(MailboxId mailbox) {
    return List.copyOf(entries.getOrDefault(mailbox, new ArrayDeque<>()));
  }
}
