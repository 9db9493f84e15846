-- Outbound queue (DLV-3), replacing the V1 sketch: the queued message keeps its own bytes
-- instead of a row in bodies, so the queue needs no share of the mail store's refcounting and
-- can live behind its own interface (chatmail.delivery.outbound.OutboundQueueStore). Nothing
-- wrote the V1 tables, so they are dropped, not migrated.
DROP TABLE outbound_recipients;
DROP TABLE outbound_messages;

CREATE TABLE outbound_messages (
    id         INTEGER PRIMARY KEY,
    sender     TEXT NOT NULL,          -- '' for the null sender
    content    BLOB NOT NULL,          -- as signed; sent byte for byte
    created_at INTEGER NOT NULL        -- epoch ms; the 2-day limit counts from here
);

-- One row per recipient still to deliver; gone when delivered or bounced.
CREATE TABLE outbound_recipients (
    id              INTEGER PRIMARY KEY,
    message_id      INTEGER NOT NULL REFERENCES outbound_messages (id) ON DELETE CASCADE,
    recipient       TEXT NOT NULL,
    domain          TEXT NOT NULL,     -- lower case, IP literals in brackets
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,  -- epoch ms
    last_error      TEXT
);
CREATE INDEX outbound_recipients_due ON outbound_recipients (next_attempt_at);
CREATE INDEX outbound_recipients_by_message ON outbound_recipients (message_id);
