-- Outbound queue claims (SEC-5, and ready for several nodes): an entry taken for an attempt is
-- claimed until claimed_until (epoch ms), so it is not taken again while the attempt runs. The
-- SQLite store clears all claims when it opens (one process owns the file); a shared backend
-- lets them run out instead.
--
-- The table is rebuilt with AUTOINCREMENT (SQLite cannot ALTER a key to it): a plain INTEGER
-- PRIMARY KEY reuses the id of the last row deleted, so a message queued right after another was
-- delivered could get the id that the finished attempt still held in memory, and be taken for
-- already in flight. The rebuilt table keeps every column V2 and V4 made (final_reply) and every
-- row with its id.
CREATE TABLE outbound_recipients_v6 (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id      INTEGER NOT NULL REFERENCES outbound_messages (id) ON DELETE CASCADE,
    recipient       TEXT NOT NULL,
    domain          TEXT NOT NULL,     -- lower case, IP literals in brackets
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,  -- epoch ms
    last_error      TEXT,
    final_reply     TEXT,              -- final SMTP reply of a recipient that waits only for its bounce
    claimed_until   INTEGER            -- epoch ms; NULL when not claimed
);
INSERT INTO outbound_recipients_v6 (id, message_id, recipient, domain, attempts, next_attempt_at, last_error, final_reply)
    SELECT id, message_id, recipient, domain, attempts, next_attempt_at, last_error, final_reply FROM outbound_recipients;
DROP TABLE outbound_recipients;
ALTER TABLE outbound_recipients_v6 RENAME TO outbound_recipients;
CREATE INDEX outbound_recipients_due ON outbound_recipients (next_attempt_at);
CREATE INDEX outbound_recipients_by_message ON outbound_recipients (message_id);
