-- Login verifiers (PERF-2's persisted keyed verifiers): one per account and verifier key, so each
-- node that keeps its own key has its own row; they go with the account.
CREATE TABLE login_verifiers (
    account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    key_id     bigint NOT NULL,
    verifier   bytea NOT NULL,
    PRIMARY KEY (account_id, key_id)
);
