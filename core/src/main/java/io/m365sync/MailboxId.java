package io.m365sync;

/**
 * One user's mailbox: the tenant plus the user's Entra object id ({@code oid}).
 *
 * @param tenant the tenant that owns the mailbox
 * @param userObjectId the user's immutable Entra object id; never blank
 */
public record MailboxId(TenantId tenant, String userObjectId) {
  public MailboxId {
    Checks.requireNonNull(tenant, "tenant");
    Checks.requireText(userObjectId, "userObjectId");
  }

  public static MailboxId of(String tenant, String userObjectId) {
    return new MailboxId(TenantId.of(tenant), userObjectId);
  }

  /** A stable single-string key, {@code tenant/userObjectId}, for logs and storage. */
  public String key() {
    return tenant.value() + "/" + userObjectId;
  }

  @Override
  public String toString() {
    return key();
  }
}
