-- Dirty marks: a mailbox-resource that a change notification says has changed, one row per key,
-- written by whichever node received the notification and read by whichever node runs the round.
-- The primary key also serves the reads and deletes by mailbox.
CREATE TABLE m365sync_dirty_mark (
  mailbox_key VARCHAR2(512) NOT NULL,
  resource_name VARCHAR2(40) NOT NULL,
  marked_at TIMESTAMP(9) WITH TIME ZONE NOT NULL,
  renew NUMBER(5) NOT NULL,
  PRIMARY KEY (mailbox_key, resource_name)
);
