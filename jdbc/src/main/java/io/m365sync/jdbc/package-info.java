/**
 * Durable sync state and multi-node scheduling over the host's database.
 *
 * <ul>
 *   <li>{@link io.m365sync.jdbc.JdbcSyncStateStore} — the {@code SyncStateStore} on H2 (embedded
 *       default, {@code h2File(Path)}), PostgreSQL or Oracle, with versioned migrations shipped per
 *       dialect and fenced writes.
 *   <li>{@link io.m365sync.jdbc.DbSchedulerSyncScheduler} — the {@code SyncScheduler} on db-scheduler:
 *       one task per enrolled mailbox, heartbeats and dead-node takeover.
 * </ul>
 *
 * <p>Both take a {@code javax.sql.DataSource} that the host owns and create their tables (prefixed
 * {@code m365sync_}) on first use. Everything else in this package is package-private.
 */
package io.m365sync.jdbc;
