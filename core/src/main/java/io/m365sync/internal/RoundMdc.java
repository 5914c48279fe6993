package io.m365sync.internal;

import io.m365sync.Mailbox;
import io.m365sync.Resource;
import org.slf4j.MDC;

/**
 * The MDC keys {@value #TENANT}, {@value #MAILBOX} and {@value #RESOURCE} around one round, so the
 * host's log lines say which mailbox they are about. The resource is {@value #NO_RESOURCE} outside
 * a resource's step. {@link #close} puts back whatever the thread held before (a pooled worker must
 * not carry one round's keys into its next task, nor lose the host's own).
 */
final class RoundMdc implements AutoCloseable {
  static final String TENANT = "m365sync.tenant";
  static final String MAILBOX = "m365sync.mailbox";
  static final String RESOURCE = "m365sync.resource";
  static final String NO_RESOURCE = "-";

  private final String tenantBefore = MDC.get(TENANT);
  private final String mailboxBefore = MDC.get(MAILBOX);
  private final String resourceBefore = MDC.get(RESOURCE);

  private RoundMdc(Mailbox mailbox) {
    MDC.put(TENANT, mailbox.tenant().value());
    MDC.put(MAILBOX, mailbox.id().key());
    MDC.put(RESOURCE, NO_RESOURCE);
  }

  static RoundMdc open(Mailbox mailbox) {
    return new RoundMdc(mailbox);
  }

  /** Names the resource whose step runs now; null for the mailbox-wide steps. */
  static void resource(Resource resource) {
    MDC.put(RESOURCE, resource == null ? NO_RESOURCE : resource.name());
  }

  @Override
  public void close() {
    restore(TENANT, tenantBefore);
    restore(MAILBOX, mailboxBefore);
    restore(RESOURCE, resourceBefore);
  }

  private static void restore(String key, String value) {
    if (value == null) {
      MDC.remove(key);
    } else {
      MDC.put(key, value);
    }
  }
}
