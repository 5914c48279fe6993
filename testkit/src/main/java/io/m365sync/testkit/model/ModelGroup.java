package io.m365sync.testkit.model;

import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;

/** A group; application access policies need a mail-enabled security group. Members: users or groups. */
public final class ModelGroup {
  private final String id;
  private final String displayName;
  private final boolean mailEnabledSecurity;
  private final Set<String> memberIds = new CopyOnWriteArraySet<>();

  ModelGroup(String id, String displayName, boolean mailEnabledSecurity) {
    this.id = id;
    this.displayName = displayName;
    this.mailEnabledSecurity = mailEnabledSecurity;
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

  public ModelGroup add(ModelUser user) {
    memberIds.add(user.objectId());
    return this;
  }

  public ModelGroup add(ModelGroup group) {
    if (group == this) {
      throw new IllegalArgumentException("a group cannot contain itself: " + id);
    }
    memberIds.add(group.id());
    return this;
  }

  public ModelGroup remove(String memberId) {
    memberIds.remove(memberId);
    return this;
  }

  /** Direct member ids (users and groups). */
  public Set<String> memberIds() {
    return Set.copyOf(memberIds);
  }
}
