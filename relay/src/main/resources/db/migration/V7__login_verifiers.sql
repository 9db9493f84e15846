-- Login verifiers (docs/decisions.md, "Accounts"): per account and per verifier key, an
-- HMAC-SHA256 of address, stored password hash and password under a key that lives in
-- data_dir (never in this database), so a restarted relay checks a reconnecting client without
-- SHA512-CRYPT. key_id names the key, so relays with different keys sharing one database each
-- keep their own row instead of overwriting each other's.
CREATE TABLE login_verifiers (
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    key_id     INTEGER NOT NULL,
    verifier   BLOB NOT NULL,
    PRIMARY KEY (account_id, key_id)
) WITHOUT ROWID;
