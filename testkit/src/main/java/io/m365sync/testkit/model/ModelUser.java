package io.m365sync.testkit.model;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** A user of the tenant, with a mailbox unless unlicensed. */
public final class ModelUser {
  private final String objectId;
  private final String userPrincipalName;
  private final String displayName;
  private volatile boolean licensed = true;
  private final Map<String, String> attributes = new ConcurrentHashMap<>();

  ModelUser(String objectId, String userPrincipalName, String displayName) {
    this.objectId = objectId;
    this.userPrincipalName = userPrincipalName;
    this.displayName = displayName;
  }

  public String objectId() {
    return objectId;
  }

  public String userPrincipalName() {
    return userPrincipalName;
  }

  public String displayName() {
    return displayName;
  }

  /** Whether the user has an Exchange Online mailbox reachable over REST. */
  public boolean licensed() {
    return licensed;
  }

  public ModelUser licensed(boolean value) {
    this.licensed = value;
    return this;
  }

  /** Directory attributes such as Department or CustomAttribute1 (for RBAC recipient filters). */
  public Map<String, String> attributes() {
    return attributes;
  }

  @Override
  public String toString() {
    return "ModelUser[" + userPrincipalName + "]";
  }
}
