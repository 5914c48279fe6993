-- A write's fence is checked against m365sync_fence in its own transaction; the copy of it that every
-- link and cursor row kept was never read. Links are the store's largest table: a column less per row.
-- SET UNUSED takes the column out at once instead of rewriting every row (its constraint goes with it);
-- ALTER TABLE ... DROP UNUSED COLUMNS frees the space whenever the DBA chooses.
ALTER TABLE m365sync_link SET UNUSED (fence);
ALTER TABLE m365sync_cursor SET UNUSED (fence);
