package io.m365sync.examples.bench;

import io.m365sync.model.Contact;
import io.m365sync.testkit.FakeMicrosoft365;
import io.m365sync.testkit.RecordingSyncStateStore;
import io.m365sync.testkit.model.ModelUser;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** What the runners on the in-process fakes share: mailboxes of contacts, and the state writes they count. */
final class ContactMailboxes {
  /** The id-map and cursor writes: one store call each, one transaction on a durable store. */
  private static final Set<String> ID_MAP_AND_CURSOR_WRITES =
      Set.of("putCursor", "removeCursor", "putLink", "putLinks", "putLinksAndCursors", "removeLink");

  private ContactMailboxes() {}

  /** {@code mailboxes} users of {@code m365}, each with {@code contacts} contacts. */
  static List<ModelUser> seed(FakeMicrosoft365 m365, int mailboxes, int contacts) {
    List<ModelUser> users = new ArrayList<>();
    for (int i = 0; i < mailboxes; i++) {
      ModelUser u = m365.addUser("user" + i);
      users.add(u);
      for (int j = 0; j < contacts; j++) {
        m365.mailbox(u).contacts().create(Contact.of("Ada" + j, "Lovelace", "ada" + j + "@example.com"));
      }
    }
    return users;
  }

  /** The id-map and cursor writes {@code store} recorded. */
  static long stateWrites(RecordingSyncStateStore store) {
    return store.calls().stream().filter(c -> ID_MAP_AND_CURSOR_WRITES.contains(c.method())).count();
  }
}
