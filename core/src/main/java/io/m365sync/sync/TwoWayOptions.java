package io.m365sync.sync;

import io.m365sync.Checks;
import io.m365sync.model.SyncItem;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * How a two-way syncer ({@link ResourceSyncers#twoWay}) behaves. Immutable and shareable; build with
 * {@link #builder()}, which validates eagerly and quotes the bad value.
 *
 * <p>Rules, in short:
 * <ul>
 *   <li><b>Conflicts</b> — an item edited on both sides since the last sync, or edited on one side and
 *       deleted on the other, is decided by {@link #policy()} and written to {@link #journal()}.</li>
 *   <li><b>Filters</b> — {@link #microsoftFilter()} and {@link #crmFilter()} decide which items take
 *       part. An item that leaves a filter is frozen, never deleted on the other side; it syncs again
 *       once it passes the filter again. Only a real deletion deletes.</li>
 *   <li><b>Mass-change guard</b> — a round that would delete or overwrite more than
 *       {@link #maxChangeShare()} of the synced items on either side (with at least
 *       {@link #guardMinimumItems()} synced items) is quarantined: nothing applied, reported in
 *       {@link ResourceResult#detail()}, unless {@link #releaseQuarantine()} lets it through.</li>
 *   <li><b>Events</b> — the calendar view window ({@link #eventWindowPast()}, {@link #eventWindowFuture()},
 *       else the engine's) bounds what syncs both ways; it slides forward by at least
 *       {@link #windowSlide()} at a time with a full round that re-links instead of re-creating.
 *       Updates written to Microsoft 365 carry {@link #NOTIFY_ATTENDEES}{@code =false} unless
 *       {@link #notifyAttendeesOnUpdate()} is set: the gateway must then PATCH without sending
 *       meeting updates.</li>
 * </ul>
 *
 * @param <T> the item record
 */
public final class TwoWayOptions<T extends SyncItem> {
  /**
   * Extension key on an item written to Microsoft 365: {@code "true"} when the gateway may send
   * meeting invitations/updates for this write, {@code "false"} when it must not. Keys starting with
   * {@code m365sync.} are reserved for the syncers and never reach the CRM from Microsoft 365.
   */
  public static final String NOTIFY_ATTENDEES = "m365sync.notifyAttendees";
  /** The extension key the default {@link #lastModified()} reads (ISO-8601 instant). */
  public static final String LAST_MODIFIED = "lastModifiedDateTime";

  private final List<String> containers;
  private final String createContainer;
  private final ConflictPolicy policy;
  private final ConflictResolver<T> resolver;
  private final ConflictJournal journal;
  private final Predicate<? super T> microsoftFilter;
  private final Predicate<? super T> crmFilter;
  private final double maxChangeShare;
  private final int guardMinimumItems;
  private final Predicate<MassChangeQuarantine> releaseQuarantine;
  private final Function<? super T, Instant> lastModified;
  private final boolean notifyAttendeesOnUpdate;
  private final Duration eventWindowPast;
  private final Duration eventWindowFuture;
  private final Duration windowSlide;
  private final boolean startFromNow;

  private TwoWayOptions(Builder<T> b) {
    this.containers = List.copyOf(b.containers);
    this.createContainer = b.createContainer;
    this.policy = b.policy;
    this.resolver = b.resolver;
    this.journal = b.journal != null ? b.journal : ConflictJournal.inMemory();
    this.microsoftFilter = b.microsoftFilter;
    this.crmFilter = b.crmFilter;
    this.maxChangeShare = b.maxChangeShare;
    this.guardMinimumItems = b.guardMinimumItems;
    this.releaseQuarantine = b.releaseQuarantine;
    this.lastModified = b.lastModified;
    this.notifyAttendeesOnUpdate = b.notifyAttendeesOnUpdate;
    this.eventWindowPast = b.eventWindowPast;
    this.eventWindowFuture = b.eventWindowFuture;
    this.windowSlide = b.windowSlide;
    this.startFromNow = b.startFromNow;
  }

  public static <T extends SyncItem> Builder<T> builder() {
    return new Builder<>();
  }

  /** Microsoft wins, default container, an in-memory journal, no filters, the 50% guard. */
  public static <T extends SyncItem> TwoWayOptions<T> defaults() {
    return new Builder<T>().build();
  }

  /** Folders or lists to sync, each with its own delta; empty means the default one. */
  public List<String> containers() {
    return containers;
  }

  /** Where CRM-created items go; null means the default folder or list. */
  public String createContainer() {
    return createContainer;
  }

  public ConflictPolicy policy() {
    return policy;
  }

  /** The host resolver for {@link ConflictPolicy#CUSTOM}; else null. */
  public ConflictResolver<T> resolver() {
    return resolver;
  }

  public ConflictJournal journal() {
    return journal;
  }

  public Predicate<? super T> microsoftFilter() {
    return microsoftFilter;
  }

  public Predicate<? super T> crmFilter() {
    return crmFilter;
  }

  public double maxChangeShare() {
    return maxChangeShare;
  }

  public int guardMinimumItems() {
    return guardMinimumItems;
  }

  public Predicate<MassChangeQuarantine> releaseQuarantine() {
    return releaseQuarantine;
  }

  public Function<? super T, Instant> lastModified() {
    return lastModified;
  }

  public boolean notifyAttendeesOnUpdate() {
    return notifyAttendeesOnUpdate;
  }

  /** Null: the engine's {@link SyncRound#eventWindowPast()}. */
  public Duration eventWindowPast() {
    return eventWindowPast;
  }

  /** Null: the engine's {@link SyncRound#eventWindowFuture()}. */
  public Duration eventWindowFuture() {
    return eventWindowFuture;
  }

  public Duration windowSlide() {
    return windowSlide;
  }

  /** Whether a mailbox's first round starts from now instead of reading what exists (see {@link Builder#startFromNow}). */
  public boolean startFromNow() {
    return startFromNow;
  }

  /** Reads {@link #LAST_MODIFIED} from an item's extensions; null when absent or unreadable. */
  public static Instant lastModifiedExtension(SyncItem item) {
    String v = item == null ? null : item.extensions().get(LAST_MODIFIED);
    if (v == null) {
      return null;
    }
    try {
      return Instant.parse(v);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /** A single-use builder; every setter validates at once. */
  public static final class Builder<T extends SyncItem> {
    private List<String> containers = List.of();
    private String createContainer;
    private ConflictPolicy policy = ConflictPolicy.MICROSOFT_WINS;
    private ConflictResolver<T> resolver;
    private ConflictJournal journal;
    private Predicate<? super T> microsoftFilter = item -> true;
    private Predicate<? super T> crmFilter = item -> true;
    private double maxChangeShare = 0.5;
    private int guardMinimumItems = 10;
    private Predicate<MassChangeQuarantine> releaseQuarantine = q -> false;
    private Function<? super T, Instant> lastModified = TwoWayOptions::lastModifiedExtension;
    private boolean notifyAttendeesOnUpdate;
    private Duration eventWindowPast;
    private Duration eventWindowFuture;
    private Duration windowSlide = Duration.ofDays(1);
    private boolean startFromNow;

    private Builder() {}

    public Builder<T> containers(List<String> value) {
      Checks.requireNonNull(value, "containers").forEach(c -> Checks.requireText(c, "containers[]"));
      this.containers = List.copyOf(value);
      return this;
    }

    public Builder<T> createContainer(String value) {
      this.createContainer = value;
      return this;
    }

    /** A stock policy; for {@link ConflictPolicy#CUSTOM} use {@link #resolver}. */
    public Builder<T> policy(ConflictPolicy value) {
      Checks.requireNonNull(value, "policy");
      if (value == ConflictPolicy.CUSTOM) {
        throw new IllegalArgumentException("'policy' CUSTOM is set by resolver(...), not policy(CUSTOM)");
      }
      this.policy = value;
      this.resolver = null;
      return this;
    }

    /** The host decides every conflict ({@link ConflictPolicy#CUSTOM}). */
    public Builder<T> resolver(ConflictResolver<T> value) {
      this.resolver = Checks.requireNonNull(value, "resolver");
      this.policy = ConflictPolicy.CUSTOM;
      return this;
    }

    public Builder<T> journal(ConflictJournal value) {
      this.journal = Checks.requireNonNull(value, "journal");
      return this;
    }

    public Builder<T> microsoftFilter(Predicate<? super T> value) {
      this.microsoftFilter = Checks.requireNonNull(value, "microsoftFilter");
      return this;
    }

    public Builder<T> crmFilter(Predicate<? super T> value) {
      this.crmFilter = Checks.requireNonNull(value, "crmFilter");
      return this;
    }

    /** The mass-change guard: trip above {@code share} (0 &lt; share ≤ 1; 1 disables) once {@code minimumItems} items are synced. */
    public Builder<T> massChangeGuard(double share, int minimumItems) {
      if (!(share > 0 && share <= 1)) {
        throw new IllegalArgumentException("'share' must be in (0, 1] but was " + share);
      }
      Checks.requireAtLeast(minimumItems, 0, "minimumItems");
      this.maxChangeShare = share;
      this.guardMinimumItems = minimumItems;
      return this;
    }

    /** Lets the host approve a quarantined round (for example after an admin confirmed a bulk change). */
    public Builder<T> releaseQuarantine(Predicate<MassChangeQuarantine> value) {
      this.releaseQuarantine = Checks.requireNonNull(value, "releaseQuarantine");
      return this;
    }

    public Builder<T> lastModified(Function<? super T, Instant> value) {
      this.lastModified = Checks.requireNonNull(value, "lastModified");
      return this;
    }

    public Builder<T> notifyAttendeesOnUpdate(boolean value) {
      this.notifyAttendeesOnUpdate = value;
      return this;
    }

    public Builder<T> eventWindow(Duration past, Duration future) {
      Checks.requireNonNull(past, "past");
      Checks.requirePositive(future, "future");
      if (past.isNegative()) {
        throw new IllegalArgumentException("'past' must not be negative but was " + past);
      }
      this.eventWindowPast = past;
      this.eventWindowFuture = future;
      return this;
    }

    public Builder<T> windowSlide(Duration value) {
      this.windowSlide = Checks.requirePositive(value, "windowSlide");
      return this;
    }

    /**
     * "From now on", for hosts that do not want history: a mailbox's first round applies no items, it only
     * takes the delta link marking the present, so only changes made after it reach the CRM (and CRM
     * records already there are not matched against Microsoft 365's items). Outlook has no documented
     * "from now" link ({@code $deltatoken=latest} is documented for directory objects only), so that
     * round reads what exists to reach the link and drops it: the requests of a full read, no CRM
     * writes. An item that existed before and changes later reaches the CRM as new. Applies
     * when no container of the resource has a delta link yet (a new enrollment); a container added later,
     * an expired link (410) or a calendar view window that slides are read whole as usual, because the
     * id map must be reconciled with what exists. Default false: the first round reads everything.
     */
    public Builder<T> startFromNow(boolean value) {
      this.startFromNow = value;
      return this;
    }

    public TwoWayOptions<T> build() {
      return new TwoWayOptions<>(this);
    }
  }
}
