-- Change-notification subscriptions, one per mailbox-resource (and folder or list), by Graph's id.
-- The clientState secret is never stored: only its SHA-256 hash, to check notifications against.
CREATE TABLE m365sync_subscription (
  subscription_id VARCHAR(512) NOT NULL PRIMARY KEY,
  mailbox_key VARCHAR(512) NOT NULL,
  resource_name VARCHAR(40) NOT NULL,
  container_id VARCHAR(1024),
  client_state_hash VARCHAR(64) NOT NULL,
  expires_at TIMESTAMP(9) WITH TIME ZONE NOT NULL,
  auth_mode VARCHAR(20) NOT NULL
);

-- renewal reads the soonest expiries first; unenroll and purge find a mailbox's subscriptions
CREATE INDEX m365sync_sub_expires_idx ON m365sync_subscription (expires_at, subscription_id);
CREATE INDEX m365sync_sub_mailbox_idx ON m365sync_subscription (mailbox_key);
