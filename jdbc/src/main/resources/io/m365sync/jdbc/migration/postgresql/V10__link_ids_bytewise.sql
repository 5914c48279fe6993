-- A link's CRM id and remote id are opaque, case-sensitive strings: compared byte for byte ("C"), each
-- of the link table's two unique indexes compares them with memcmp rather than through the database's
-- linguistic collation (strcoll), which every insert and lookup paid per key comparison. Equality is
-- unchanged: PostgreSQL's deterministic collations already told two different ids apart. The two
-- indexes are rebuilt; the rows are not rewritten.
ALTER TABLE m365sync_link ALTER COLUMN crm_id TYPE VARCHAR(512) COLLATE "C",
  ALTER COLUMN remote_id TYPE VARCHAR(1024) COLLATE "C";
