package io.m365sync.gateway;

import io.m365sync.Checks;
import io.m365sync.model.SyncItem;
import java.util.List;

/**
 * One page of a delta round.
 *
 * @param changes the page's changes, in server order; may repeat earlier changes (replays)
 * @param cursor where to continue: the next link while {@code more}, else the delta link to store
 * @param more whether another page follows in this round
 * @param skipped items of the page the gateway could not read; they are in neither {@code changes}
 *     nor the round's deletions, and do not hold the cursor back
 */
public record DeltaPage<T extends SyncItem>(List<Change<T>> changes, String cursor, boolean more,
                                            List<SkippedItem> skipped) {
  public DeltaPage {
    changes = List.copyOf(Checks.requireNonNull(changes, "changes"));
    Checks.requireText(cursor, "cursor");
    skipped = List.copyOf(Checks.requireNonNull(skipped, "skipped"));
  }

  /** A page where every item could be read. */
  public DeltaPage(List<Change<T>> changes, String cursor, boolean more) {
    this(changes, cursor, more, List.of());
  }
}
