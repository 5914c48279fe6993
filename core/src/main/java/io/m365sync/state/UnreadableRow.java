package io.m365sync.state;

import io.m365sync.Checks;
import java.io.Serializable;

/**
 * A stored row a {@link SyncStateStore} could not turn back into a value: an unknown resource or
 * status name (a newer version wrote it, then the host rolled back), an infinite timestamp, a
 * required value missing. Lists skip such a row and report it; single-row reads throw
 * {@link UnreadableStateException}.
 *
 * @param table where the row lives, as the store names it (a JDBC store gives the table's name)
 * @param key the row's key, e.g. the mailbox key {@code tenant/userObjectId}; never a secret or a
 *     token blob
 * @param problem what could not be read, e.g. {@code unknown resource 'NOTES' in column resources}
 */
public record UnreadableRow(String table, String key, String problem) implements Serializable {
  public UnreadableRow {
    Checks.requireText(table, "table");
    Checks.requireNonNull(key, "key");
    Checks.requireText(problem, "problem");
  }

  @Override
  public String toString() {
    return table + " row '" + key + "': " + problem;
  }
}
