package io.m365sync.testkit.model;

import io.m365sync.model.SyncItem;
import java.util.List;

/** A delta page: changes plus exactly one of a next token (more pages) or a delta token (round done). */
public record ModelDeltaPage<T extends SyncItem>(List<ModelChange<T>> changes, String nextToken, String deltaToken) {
  public ModelDeltaPage {
    changes = List.copyOf(changes);
    if ((nextToken == null) == (deltaToken == null)) {
      throw new IllegalArgumentException("exactly one of nextToken and deltaToken must be set");
    }
  }

  public boolean more() {
    return nextToken != null;
  }
}
