package io.m365sync.sync;

import io.m365sync.AuthMode;
import io.m365sync.Checks;
import io.m365sync.Resource;
import io.m365sync.gateway.SkippedItem;
import java.util.List;

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
 * @param quarantine what the mass-change guard held back, when {@code outcome} is QUARANTINED; else null
 * @param skipped items Microsoft 365 returned that could not be read and were left alone (their CRM
 *     records kept); the round still synced the rest and moved its cursor. Each is also reported through
 *     {@link io.m365sync.SyncListener#itemSkipped}.
 * @param pushed what the round wrote to Microsoft 365 (two-way resources); {@link Pushed#NONE} otherwise
 */
public record ResourceResult(Resource resource, AuthMode mode, Outcome outcome, int created, int updated,
                             int deleted, int unchanged, boolean fullResync, String detail,
                             MassChangeQuarantine quarantine, List<SkippedItem> skipped, Pushed pushed) {

  /** Items a round created, updated and deleted in Microsoft 365 from CRM changes. */
  public record Pushed(int created, int updated, int deleted) {
    public static final Pushed NONE = new Pushed(0, 0, 0);

    public Pushed {
      if (created < 0 || updated < 0 || deleted < 0) {
        throw new IllegalArgumentException("pushed counts must not be negative but were " + created + "/" + updated
            + "/" + deleted);
      }
    }

    /** Items written to Microsoft 365. */
    public int total() {
      return created + updated + deleted;
    }
  }

  /**
   * SYNCED: the round went through; SKIPPED: not attempted (no usable token, the mailbox as a whole
   * stopped); FAILED: attempted and failed, its counts what it wrote before failing (the next round finds
   * those records linked and does not count them again); QUARANTINED: the mass-change guard held the round
   * back until the host releases it ({@code SyncEngine.releaseQuarantine}), its counts what the round wrote
   * before (a one-way calendar's first read in time slices creates new records while it reads), zero
   * otherwise. Whatever the outcome, the counts include what an app-only attempt of the same round wrote
   * before the access policy denied it (a 403 mid-round) and the round went on with the delegated token,
   * or stopped.
   */
  public enum Outcome { SYNCED, SKIPPED, FAILED, QUARANTINED }

  public ResourceResult {
    Checks.requireNonNull(resource, "resource");
    Checks.requireNonNull(outcome, "outcome");
    if ((outcome == Outcome.QUARANTINED) != (quarantine != null)) {
      throw new IllegalArgumentException("'quarantine' must be set exactly when the outcome is QUARANTINED but was "
          + quarantine + " for " + outcome);
    }
    skipped = List.copyOf(Checks.requireNonNull(skipped, "skipped"));
    Checks.requireNonNull(pushed, "pushed");
  }

  /** A result that pushed nothing to Microsoft 365. */
  public ResourceResult(Resource resource, AuthMode mode, Outcome outcome, int created, int updated, int deleted,
                        int unchanged, boolean fullResync, String detail, MassChangeQuarantine quarantine,
                        List<SkippedItem> skipped) {
    this(resource, mode, outcome, created, updated, deleted, unchanged, fullResync, detail, quarantine, skipped,
        Pushed.NONE);
  }

  /** A result without skipped items. */
  public ResourceResult(Resource resource, AuthMode mode, Outcome outcome, int created, int updated, int deleted,
                        int unchanged, boolean fullResync, String detail, MassChangeQuarantine quarantine) {
    this(resource, mode, outcome, created, updated, deleted, unchanged, fullResync, detail, quarantine, List.of());
  }

  /** A result without a quarantine. */
  public ResourceResult(Resource resource, AuthMode mode, Outcome outcome, int created, int updated, int deleted,
                        int unchanged, boolean fullResync, String detail) {
    this(resource, mode, outcome, created, updated, deleted, unchanged, fullResync, detail, null);
  }

  /** The mass-change guard held the round back: nothing applied, no cursor moved. */
  public static ResourceResult quarantined(MassChangeQuarantine quarantine, AuthMode mode, int unchanged,
                                           boolean fullResync) {
    return quarantined(quarantine, mode, 0, unchanged, fullResync);
  }

  /**
   * The mass-change guard held the round back after it had created {@code created} CRM records (a one-way
   * calendar's first read in time slices writes new items while it reads; never an update or a deletion).
   */
  public static ResourceResult quarantined(MassChangeQuarantine quarantine, AuthMode mode, int created,
                                           int unchanged, boolean fullResync) {
    Checks.requireNonNull(quarantine, "quarantine");
    return new ResourceResult(quarantine.resource(), mode, Outcome.QUARANTINED, created, 0, 0, unchanged,
        fullResync, quarantine.describe(), quarantine);
  }

  public static ResourceResult skipped(Resource resource, String detail) {
    return new ResourceResult(resource, null, Outcome.SKIPPED, 0, 0, 0, 0, false, detail);
  }

  public static ResourceResult failed(Resource resource, AuthMode mode, String detail) {
    return failed(resource, mode, detail, new WrittenSoFar());
  }

  /** Failed after writing {@code written} (its records are in the CRM, or in Microsoft 365, all the same). */
  public static ResourceResult failed(Resource resource, AuthMode mode, String detail, WrittenSoFar written) {
    return new ResourceResult(resource, mode, Outcome.FAILED, written.created(), written.updated(), written.deleted(),
        0, false, detail, null, List.of(), written.pushed());
  }

  /** Warnings of the round: items skipped because they could not be read. */
  public int warnings() {
    return skipped.size();
  }

  /** Records written to the CRM in this round. */
  public int applied() {
    return created + updated + deleted;
  }
}
