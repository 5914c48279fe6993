package io.m365sync;

import io.m365sync.state.MailboxState;
import io.m365sync.sync.ResourceResult;
import java.time.Duration;
import java.util.List;

/**
 * What one mailbox round did.
 *
 * @param mailbox which mailbox
 * @param state its status after the round
 * @param resources one result per enabled resource (empty when the round was skipped)
 * @param ran false when the round was skipped without any request (waiting for sign-in, backoff,
 *     suspended)
 * @param duration wall time of the round
 */
public record MailboxSyncReport(MailboxId mailbox, MailboxState state, List<ResourceResult> resources, boolean ran,
                                Duration duration) {
  public MailboxSyncReport {
    resources = List.copyOf(resources);
  }

  /** CRM records written in this round. */
  public int applied() {
    return resources.stream().mapToInt(ResourceResult::applied).sum();
  }

  public java.util.Optional<ResourceResult> resource(Resource resource) {
    return resources.stream().filter(r -> r.resource() == resource).findFirst();
  }
}
