-- The folder or list each linked item lies in (NULL: the default one): To Do tasks are addressed
-- through their list, so writes after a restart or on another node must know it.
ALTER TABLE m365sync_item_map ADD COLUMN container_id VARCHAR(1024);
