/**
 * The port to Microsoft 365: a host plugs in a {@link io.m365sync.gateway.MailboxGateway} (the graph-adapter
 * module's Graph SDK gateway, or the testkit's fake) that reads delta pages and writes items for one
 * {@link io.m365sync.gateway.MailboxSession}, and reports every failure as one of the
 * {@link io.m365sync.gateway.GatewayException} subtypes here, which the engine maps to a mailbox status, a
 * backoff or a full resync.
 */
package io.m365sync.gateway;
