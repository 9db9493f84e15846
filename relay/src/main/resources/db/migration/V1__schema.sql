-- Embedded store schema (SQLite). Days are epoch days, instants epoch milliseconds.

-- Counters that must survive the rows they were taken from (e.g. the last UIDVALIDITY issued,
-- so a re-created mailbox never reuses one).
CREATE TABLE store_counters (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE accounts (
    id             INTEGER PRIMARY KEY,
    address        TEXT NOT NULL UNIQUE COLLATE NOCASE,
    password_hash  TEXT NOT NULL,
    created_day    INTEGER NOT NULL,
    last_login_day INTEGER NOT NULL
);
CREATE INDEX accounts_by_last_login ON accounts (last_login_day);

CREATE TABLE mailboxes (
    id            INTEGER PRIMARY KEY,
    account_id    INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    uidvalidity   INTEGER NOT NULL,
    uidnext       INTEGER NOT NULL DEFAULT 1,
    highestmodseq INTEGER NOT NULL DEFAULT 1,
    UNIQUE (account_id, name)
);

-- Message bodies, shared by every copy (multi-recipient delivery, COPY). Small ones inline,
-- large ones in a file under blobs/. refcount counts the rows pointing here (messages and
-- outbound queue entries); the row and its file go when it reaches zero.
CREATE TABLE bodies (
    id       INTEGER PRIMARY KEY,
    refcount INTEGER NOT NULL,
    size     INTEGER NOT NULL,
    content  BLOB,
    file     TEXT UNIQUE,
    CHECK ((content IS NULL) <> (file IS NULL))
);

-- body_id has no FOREIGN KEY clause on purpose: deleting a body would then need an index on
-- messages(body_id) for the check, paid on every insert; refcount keeps the link instead.
CREATE TABLE messages (
    mailbox_id    INTEGER NOT NULL REFERENCES mailboxes (id) ON DELETE CASCADE,
    uid           INTEGER NOT NULL,
    account_id    INTEGER NOT NULL,
    body_id       INTEGER NOT NULL,
    flags         TEXT NOT NULL DEFAULT '',
    seen          INTEGER NOT NULL DEFAULT 0,
    modseq        INTEGER NOT NULL,
    size          INTEGER NOT NULL,
    internal_date INTEGER NOT NULL,
    PRIMARY KEY (mailbox_id, uid)
) WITHOUT ROWID;
-- usage (covering: sum of size) and the quota trim (oldest first)
CREATE INDEX messages_by_account_date ON messages (account_id, internal_date, size);
-- expiry across all accounts
CREATE INDEX messages_by_date ON messages (internal_date);
-- CONDSTORE: CHANGEDSINCE
CREATE INDEX messages_by_modseq ON messages (mailbox_id, modseq);

-- Per-account metadata (RFC 5464). mailbox_id NULL = account-wide entry; a name may hold
-- several values (one device token per device), each with its own expiry.
CREATE TABLE metadata (
    id         INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    mailbox_id INTEGER REFERENCES mailboxes (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    value      BLOB NOT NULL,
    updated_at INTEGER NOT NULL,
    expires_at INTEGER
);
CREATE INDEX metadata_by_owner ON metadata (account_id, mailbox_id, name);
CREATE INDEX metadata_by_expiry ON metadata (expires_at) WHERE expires_at IS NOT NULL;
CREATE INDEX metadata_by_mailbox ON metadata (mailbox_id) WHERE mailbox_id IS NOT NULL;

-- Outbound queue (DLV-3): one message, one row per recipient with its own retry state.
CREATE TABLE outbound_messages (
    id         INTEGER PRIMARY KEY,
    sender     TEXT NOT NULL,
    body_id    INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE outbound_recipients (
    id              INTEGER PRIMARY KEY,
    message_id      INTEGER NOT NULL REFERENCES outbound_messages (id) ON DELETE CASCADE,
    recipient       TEXT NOT NULL,
    domain          TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error      TEXT
);
CREATE INDEX outbound_recipients_due ON outbound_recipients (next_attempt_at);
CREATE INDEX outbound_recipients_by_message ON outbound_recipients (message_id);

-- Push notifications (PUSH-1): one row per token to notify, with its retry state.
CREATE TABLE push_queue (
    id              INTEGER PRIMARY KEY,
    account_id      INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    token           TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    created_at      INTEGER NOT NULL
);
CREATE INDEX push_queue_due ON push_queue (next_attempt_at);
CREATE INDEX push_queue_by_account ON push_queue (account_id);
