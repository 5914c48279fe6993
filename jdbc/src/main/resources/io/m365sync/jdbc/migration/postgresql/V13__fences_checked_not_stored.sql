-- A write's fence is checked against m365sync_fence in its own transaction; the copy of it that every
-- link and cursor row kept was never read. Links are the store's largest table: a column less per row.
ALTER TABLE m365sync_link DROP COLUMN fence;
ALTER TABLE m365sync_cursor DROP COLUMN fence;
