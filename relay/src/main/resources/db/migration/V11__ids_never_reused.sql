-- Account and mailbox ids are never given again (as PostgreSQL's bigserial never does). A plain
-- INTEGER PRIMARY KEY takes max(id) + 1, so deleting the account with the highest id handed its
-- id, and its mailboxes' ids, to the next account made. A session or snapshot still holding the
-- deleted account's ids (a command that ran while the account went) would then read or write the
-- new account's mail. SQLite cannot ALTER a key to AUTOINCREMENT, so both tables are rebuilt,
-- keeping every row with its id; the rows that point at them (messages, metadata, push_queue,
-- login_verifiers) are not touched and find them again under the same names.
--
-- DROP TABLE deletes the table's rows first, and with foreign keys enforced that would cascade to
-- every message. Flyway's connection does not enforce them; the guard makes sure of it, since
-- PRAGMA foreign_keys cannot be changed inside the migration's transaction.
CREATE TEMP TABLE v11_foreign_keys_must_be_off (enforced INTEGER CHECK (enforced = 0));
INSERT INTO v11_foreign_keys_must_be_off SELECT foreign_keys FROM pragma_foreign_keys;
DROP TABLE v11_foreign_keys_must_be_off;

CREATE TABLE accounts_v11 (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    address        TEXT NOT NULL UNIQUE COLLATE NOCASE,
    password_hash  TEXT NOT NULL,
    created_day    INTEGER NOT NULL,
    last_login_day INTEGER NOT NULL
);
INSERT INTO accounts_v11 (id, address, password_hash, created_day, last_login_day)
    SELECT id, address, password_hash, created_day, last_login_day FROM accounts;
DROP TABLE accounts;
ALTER TABLE accounts_v11 RENAME TO accounts;
CREATE INDEX accounts_by_last_login ON accounts (last_login_day);

CREATE TABLE mailboxes_v11 (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id      INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    uidvalidity     INTEGER NOT NULL,
    uidnext         INTEGER NOT NULL DEFAULT 1,
    highestmodseq   INTEGER NOT NULL DEFAULT 1,
    expunged_modseq INTEGER NOT NULL DEFAULT 0,
    UNIQUE (account_id, name)
);
INSERT INTO mailboxes_v11 (id, account_id, name, uidvalidity, uidnext, highestmodseq, expunged_modseq)
    SELECT id, account_id, name, uidvalidity, uidnext, highestmodseq, expunged_modseq FROM mailboxes;
DROP TABLE mailboxes;
ALTER TABLE mailboxes_v11 RENAME TO mailboxes;
