-- The monitor counts and pages statuses in the database: the tenant gets its own column (the part
-- of the mailbox key before the first '/', which a tenant id never contains), and three indexes let
-- a count by tenant and status read only an index, and a page seek to its first row in key order.
ALTER TABLE m365sync_status ADD COLUMN tenant_id VARCHAR(255);
UPDATE m365sync_status SET tenant_id = split_part(mailbox_key, '/', 1);
ALTER TABLE m365sync_status ALTER COLUMN tenant_id SET NOT NULL;
CREATE INDEX m365sync_status_status_idx ON m365sync_status (status, mailbox_key);
CREATE INDEX m365sync_status_tenant_idx ON m365sync_status (tenant_id, status, mailbox_key);
CREATE INDEX m365sync_status_tenant_key_idx ON m365sync_status (tenant_id, mailbox_key);
