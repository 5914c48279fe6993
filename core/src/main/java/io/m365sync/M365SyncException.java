package io.m365sync;

import java.util.Optional;

/**
 * Root of m365sync's unchecked exceptions. Carries what a host needs to route the failure: the
 * tenant, the mailbox and resource where known, and whether retrying later can help.
 *
 * <p>Messages never contain tokens, secrets or key material.
 */
public class M365SyncException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final TenantId tenant;
  private final MailboxId mailbox;
  private final Resource resource;
  private final boolean retryable;

  public M365SyncException(String message, TenantId tenant, MailboxId mailbox, Resource resource,
                           boolean retryable, Throwable cause) {
    super(message, cause);
    this.tenant = tenant != null ? tenant : mailbox != null ? mailbox.tenant() : null;
    this.mailbox = mailbox;
    this.resource = resource;
    this.retryable = retryable;
  }

  public Optional<TenantId> tenant() {
    return Optional.ofNullable(tenant);
  }

  public Optional<MailboxId> mailbox() {
    return Optional.ofNullable(mailbox);
  }

  public Optional<Resource> resource() {
    return Optional.ofNullable(resource);
  }

  /** Whether the same call may succeed later without anybody changing anything. */
  public boolean retryable() {
    return retryable;
  }
}
