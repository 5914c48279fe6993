package io.m365sync.internal.sync;

import io.m365sync.sync.ResourceResult;

/** What a round wrote, for the {@link io.m365sync.sync.ResourceResult}. */
final class Counts {
  int created;
  int updated;
  int deleted;
  int unchanged;
  int pushedCreated;
  int pushedUpdated;
  int pushedDeleted;
  int deferred;
  boolean fullResync;

  ResourceResult.Pushed pushed() {
    return new ResourceResult.Pushed(pushedCreated, pushedUpdated, pushedDeleted);
  }

  String describePush(int conflicts) {
    if (pushedCreated + pushedUpdated + pushedDeleted + deferred + conflicts == 0) {
      return null;
    }
    return "to Microsoft 365: " + pushedCreated + " created, " + pushedUpdated + " updated, " + pushedDeleted
        + " deleted" + (deferred > 0 ? ", " + deferred + " deferred to the next round (changed meanwhile)" : "")
        + (conflicts > 0 ? "; " + conflicts + " conflicts journaled" : "");
  }
}
