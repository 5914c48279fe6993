-- Run history is bounded (the newest runs per mailbox) but counted: each run row carries its number
-- among the mailbox's runs, so the newest row says how many there were after older rows are deleted.
-- Existing rows are numbered in the order they were written.
ALTER TABLE m365sync_run ADD COLUMN run_number BIGINT;
UPDATE m365sync_run SET run_number = (SELECT COUNT(*) FROM m365sync_run o
  WHERE o.mailbox_key = m365sync_run.mailbox_key AND o.id <= m365sync_run.id);
