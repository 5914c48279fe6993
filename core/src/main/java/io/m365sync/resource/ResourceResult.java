package io.m365sync.resource;

import io.m365sync.AuthMode;
import io.m365sync.Checks;
import io.m365sync.Resource;

/**
 * What one resource's round did for one mailbox.
 *
 * @param resource which resource
 * @param mode the auth mode used; null when skipped before any token was used
 * @param outcome synced, skipped or failed
 * @param created CRM records created
 * @param updated CRM records updated
 * @param deleted CRM records deleted
 * @param unchanged changes seen that needed nothing (replays, echoes)
 * @param fullResync whether the round restarted from scratch (first sync or expired delta link)
 * @param detail a short human explanation for skips and failures; null when synced
 */
public record ResourceResult(Resource resource, AuthMode mode, Outcome outcome, int created, int updated,
                             int deleted, int unchanged, boolean fullResync, String detail) {

  public enum Outcome { SYNCED, SKIPPED, FAILED }

  public ResourceResult {
    Checks.requireNonNull(resource, "resource");
    Checks.requireNonNull(outcome, "outcome");
  }

  public static ResourceResult skipped(Resource resource, String detail) {
    return new ResourceResult(resource, null, Outcome.SKIPPED, 0, 0, 0, 0, false, detail);
  }

  public static ResourceResult failed(Resource resource, AuthMode mode, String detail) {
    return new ResourceResult(resource, mode, Outcome.FAILED, 0, 0, 0, 0, false, detail);
  }

  /** Records written to the CRM in this round. */
  public int applied() {
    return created + updated + deleted;
  }
}
