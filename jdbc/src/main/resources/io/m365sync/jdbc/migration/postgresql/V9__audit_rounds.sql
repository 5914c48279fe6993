-- The access audit counts like app-only rounds of a mailbox's resource within a UTC day in one record
-- (a mailbox polled every 15 minutes wrote 96 rows a day per resource). Existing rows are one round each.
ALTER TABLE m365sync_access_audit ADD COLUMN rounds INT DEFAULT 1 NOT NULL;
-- the write finds the mailbox-resource's newest record; audit queries select by overlap with a span
CREATE INDEX m365sync_audit_mb_idx ON m365sync_access_audit (mailbox_key, resource_name, id);
CREATE INDEX m365sync_audit_finished_idx ON m365sync_access_audit (finished_at);
