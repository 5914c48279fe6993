/**
 * How a resource is synced: a host picks a {@link io.m365sync.sync.ResourceSyncer} from
 * {@link io.m365sync.sync.ResourceSyncers} (one-way, two-way, mail, mailbox settings) for each resource it
 * registers with the engine, tunes it with {@link io.m365sync.sync.TwoWayOptions},
 * {@link io.m365sync.sync.MailOptions} or {@link io.m365sync.sync.MailboxSettingsOptions}, decides conflicts
 * with a {@link io.m365sync.sync.ConflictPolicy} or its own {@link io.m365sync.sync.ConflictResolver} and
 * keeps them in a {@link io.m365sync.sync.ConflictJournal}, and reads each round's outcome as a
 * {@link io.m365sync.sync.ResourceResult} (a {@link io.m365sync.sync.MassChangeQuarantine} when the
 * mass-change guard held a round back).
 */
package io.m365sync.sync;
