package io.m365sync.testkit.model;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A group; application access policies need a mail-enabled security group. Members: users or groups.
 *
 * <p>Membership changes are dated by the cloud's clock and kept, because the directory and Exchange
 * see them at different times: the directory ({@link #memberIds()}, what Graph's {@code /members}
 * and {@code /transitiveMembers} return) at once; an application access policy scoped to the group
 * only after the tenant's {@linkplain TenantModel#policyPropagationDelay() propagation delay}
 * ({@link #memberIdsAsOf(Instant)} at {@code now - delay}). Thread-safe.
 */
public final class ModelGroup {
  private record Change(Instant at, String memberId, boolean added) {}

  private final String id;
  private final String displayName;
  private final boolean mailEnabledSecurity;
  private final Clock clock;
  private final Set<String> memberIds = new LinkedHashSet<>(); // guarded by this
  private final List<Change> history = new ArrayList<>(); // guarded by this, oldest first

  ModelGroup(String id, String displayName, boolean mailEnabledSecurity, Clock clock) {
    this.id = id;
    this.displayName = displayName;
    this.mailEnabledSecurity = mailEnabledSecurity;
    this.clock = clock;
  }

  public String id() {
    return id;
  }

  public String displayName() {
    return displayName;
  }

  public boolean mailEnabledSecurity() {
    return mailEnabledSecurity;
  }

  /** Adds a user now (the directory shows it at once; access policies after their propagation delay). */
  public ModelGroup add(ModelUser user) {
    change(user.objectId(), true, clock.instant());
    return this;
  }

  /** Nests a group now (the directory shows it at once; access policies after their propagation delay). */
  public ModelGroup add(ModelGroup group) {
    if (group == this) {
      throw new IllegalArgumentException("a group cannot contain itself: " + id);
    }
    change(group.id(), true, clock.instant());
    return this;
  }

  /** Removes a member now (the directory shows it at once; access policies after their propagation delay). */
  public ModelGroup remove(String memberId) {
    change(memberId, false, clock.instant());
    return this;
  }

  /** A member restored from a snapshot: settled, seen by the directory and by every policy. */
  void restoreMember(String memberId) {
    change(memberId, true, Instant.MIN);
  }

  private synchronized void change(String memberId, boolean added, Instant at) {
    if (added ? memberIds.add(memberId) : memberIds.remove(memberId)) {
      history.add(new Change(at, memberId, added));
    }
  }

  /** Direct member ids (users and groups) as the directory shows them now. */
  public synchronized Set<String> memberIds() {
    return Set.copyOf(memberIds);
  }

  /** Direct member ids as they were at {@code instant}: every change made at or before it applied. */
  public synchronized Set<String> memberIdsAsOf(Instant instant) {
    Set<String> members = new LinkedHashSet<>();
    for (Change c : history) {
      if (c.at().isAfter(instant)) {
        continue; // not a break: a test may have set the clock back
      }
      if (c.added()) {
        members.add(c.memberId());
      } else {
        members.remove(c.memberId());
      }
    }
    return Set.copyOf(members);
  }
}
