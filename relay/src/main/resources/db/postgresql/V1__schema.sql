-- Shared store schema (PostgreSQL, SCALE-1). The same tables as the embedded store
-- (db/migration) so both backends pass one contract; days are epoch days, instants epoch ms.

-- Counters that must survive the rows they were taken from (the last UIDVALIDITY issued).
CREATE TABLE store_counters (
    name  text PRIMARY KEY,
    value bigint NOT NULL
);

CREATE TABLE accounts (
    id             bigserial PRIMARY KEY,
    address        text NOT NULL,
    password_hash  text NOT NULL,
    created_day    integer NOT NULL,
    last_login_day integer NOT NULL
);
-- One account per address whatever its case, as SQLite's COLLATE NOCASE; nodes racing to
-- create the same address meet here (INSERT ... ON CONFLICT DO NOTHING).
CREATE UNIQUE INDEX accounts_by_address ON accounts (lower(address));
CREATE INDEX accounts_by_last_login ON accounts (last_login_day);

CREATE TABLE mailboxes (
    id            bigserial PRIMARY KEY,
    account_id    bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name          text NOT NULL,
    uidvalidity   bigint NOT NULL,
    -- Taken with UPDATE ... RETURNING inside the delivery transaction: the row lock orders
    -- concurrent deliveries, so UIDs become visible in increasing order (SCALE-2).
    uidnext       bigint NOT NULL DEFAULT 1,
    highestmodseq bigint NOT NULL DEFAULT 1,
    UNIQUE (account_id, name)
);

-- Message bodies, shared by every copy (multi-recipient delivery, COPY); refcount counts the
-- messages pointing here. The bytes are in body_chunks (docs/decisions.md, "Bodies in PostgreSQL").
CREATE TABLE bodies (
    id       bigserial PRIMARY KEY,
    refcount integer NOT NULL,
    size     bigint NOT NULL
);

CREATE TABLE body_chunks (
    body_id bigint NOT NULL REFERENCES bodies (id) ON DELETE CASCADE,
    seq     integer NOT NULL,
    data    bytea NOT NULL,
    PRIMARY KEY (body_id, seq)
);

CREATE TABLE messages (
    mailbox_id    bigint NOT NULL REFERENCES mailboxes (id) ON DELETE CASCADE,
    uid           bigint NOT NULL,
    account_id    bigint NOT NULL,
    body_id       bigint NOT NULL,
    flags         text NOT NULL DEFAULT '',
    seen          boolean NOT NULL DEFAULT false,
    modseq        bigint NOT NULL,
    size          bigint NOT NULL,
    internal_date bigint NOT NULL,
    PRIMARY KEY (mailbox_id, uid)
);
CREATE INDEX messages_by_account_date ON messages (account_id, internal_date, size);
CREATE INDEX messages_by_date ON messages (internal_date);
CREATE INDEX messages_by_modseq ON messages (mailbox_id, modseq);

-- Per-account metadata (RFC 5464): account-wide entries hold several values (device tokens).
CREATE TABLE metadata (
    id         bigserial PRIMARY KEY,
    account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    mailbox_id bigint REFERENCES mailboxes (id) ON DELETE CASCADE,
    name       text NOT NULL,
    value      bytea NOT NULL,
    updated_at bigint NOT NULL,
    expires_at bigint
);
CREATE INDEX metadata_by_owner ON metadata (account_id, mailbox_id, name);
CREATE INDEX metadata_by_expiry ON metadata (expires_at) WHERE expires_at IS NOT NULL;

-- Outbound queue (DLV-3): the queued message as signed, one row per recipient still to deliver.
-- claimed_until is a lease: the node that takes an entry (FOR UPDATE SKIP LOCKED) holds it
-- until then; a dead node's entries fall due again when their lease runs out (SCALE-2).
CREATE TABLE outbound_messages (
    id         bigserial PRIMARY KEY,
    sender     text NOT NULL,
    content    bytea NOT NULL,
    created_at bigint NOT NULL
);

CREATE TABLE outbound_recipients (
    id              bigserial PRIMARY KEY,
    message_id      bigint NOT NULL REFERENCES outbound_messages (id) ON DELETE CASCADE,
    recipient       text NOT NULL,
    domain          text NOT NULL,
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at bigint NOT NULL,
    last_error      text,
    final_reply     text,
    claimed_until   bigint
);
CREATE INDEX outbound_recipients_due ON outbound_recipients (next_attempt_at);
CREATE INDEX outbound_recipients_by_message ON outbound_recipients (message_id);

-- Push queue (PUSH-1): one row per device token with a notification pending.
CREATE TABLE push_queue (
    id               bigserial PRIMARY KEY,
    account_id       bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    token            text NOT NULL,
    attempts         integer NOT NULL DEFAULT 0,
    first_attempt_at bigint,
    next_attempt_at  bigint NOT NULL,
    created_at       bigint NOT NULL,
    generation       bigint NOT NULL DEFAULT 0,
    claimed_until    bigint,
    UNIQUE (account_id, token)
);
CREATE INDEX push_queue_due ON push_queue (next_attempt_at);

-- Small state every node shares (SCALE-2): the TURN secret, the account-creation switch.
CREATE TABLE shared_settings (
    name  text PRIMARY KEY,
    value text NOT NULL
);
