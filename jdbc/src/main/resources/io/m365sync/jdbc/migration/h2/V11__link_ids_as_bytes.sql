-- A link's ids and keys are held as their UTF-8 bytes: H2 writes a VARCHAR value to its file one
-- character at a time and a VARBINARY value as one copy, and an initial sync writes each id three times
-- (the row and its two unique indexes), again at every commit that changes their pages. The strings'
-- equality is unchanged. The table is rebuilt with the same rows, keys and constraint names.
CREATE TABLE m365sync_link_v11 (
  mailbox_id BIGINT NOT NULL,
  resource_name VARCHAR(40) NOT NULL,
  crm_id VARBINARY(2048) NOT NULL,
  remote_id VARBINARY(4096) NOT NULL,
  change_key VARBINARY(4096),
  crm_version BIGINT NOT NULL,
  fence BIGINT NOT NULL,
  container_id VARBINARY(4096)
);

INSERT INTO m365sync_link_v11 (mailbox_id, resource_name, crm_id, remote_id, change_key, crm_version, fence,
  container_id)
  SELECT mailbox_id, resource_name, STRINGTOUTF8(crm_id), STRINGTOUTF8(remote_id), STRINGTOUTF8(change_key),
  crm_version, fence, STRINGTOUTF8(container_id) FROM m365sync_link;
DROP TABLE m365sync_link;
ALTER TABLE m365sync_link_v11 RENAME TO m365sync_link;
ALTER TABLE m365sync_link ADD PRIMARY KEY (mailbox_id, resource_name, crm_id);
ALTER TABLE m365sync_link ADD CONSTRAINT m365sync_link_remote_uq UNIQUE (mailbox_id, resource_name, remote_id);
