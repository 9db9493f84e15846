-- Outbound queue claims (SEC-5, and ready for several nodes): an entry taken for an attempt is
-- claimed until claimed_until (epoch ms), so it is not taken again while the attempt runs. The
-- SQLite store clears all claims when it opens (one process owns the file); a shared backend
-- lets them run out instead.
ALTER TABLE outbound_recipients ADD COLUMN claimed_until INTEGER;
