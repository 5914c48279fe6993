package io.m365sync.notify;

import io.m365sync.Checks;
import io.m365sync.Resource;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * How one resource of a mailbox learns of changes, as the monitor shows it.
 *
 * @param resource the resource
 * @param pushFed whether every container it reads has a subscription that outlives the renewal
 *     margin: then it is read on notifications and by the safety net only; otherwise at every round
 * @param dirtySince when the newest notification not yet read arrived, if one is waiting
 * @param lastPushFedRead when the resource was last read while push-fed (the safety net counts from it)
 * @param subscriptions its subscriptions
 */
public record ResourceFeed(Resource resource, boolean pushFed, Optional<Instant> dirtySince,
                           Optional<Instant> lastPushFedRead, List<Subscription> subscriptions) {
  public ResourceFeed {
    Checks.requireNonNull(resource, "resource");
    Checks.requireNonNull(dirtySince, "dirtySince");
    Checks.requireNonNull(lastPushFedRead, "lastPushFedRead");
    subscriptions = List.copyOf(subscriptions);
  }
}
