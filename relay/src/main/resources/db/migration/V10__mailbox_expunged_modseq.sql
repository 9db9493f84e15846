-- The MODSEQ of the mailbox's last expunge: an IDLE session that synced at a higher MODSEQ reads
-- only the rows changed since (messages_by_modseq) instead of the whole mailbox after every
-- delivery, because none of its messages can have gone (issue 16, as PostgreSQL's V9). 0: none
-- since this column exists, which is true of every session that starts after the migration.
ALTER TABLE mailboxes ADD COLUMN expunged_modseq INTEGER NOT NULL DEFAULT 0;
