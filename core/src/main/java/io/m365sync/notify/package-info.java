/**
 * Graph change notifications: the {@link io.m365sync.notify.Subscription} the engine keeps per
 * Graph subscription, and the framework-free {@link io.m365sync.notify.NotificationReceiver} that
 * turns a webhook POST into {@link io.m365sync.notify.ChangeSignal}s. A notification never carries
 * truth: a signal only marks a mailbox-resource for the normal delta round.
 */
package io.m365sync.notify;
