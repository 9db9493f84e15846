-- Push queue (PUSH-1), replacing the V1 sketch, which nothing wrote: one row per device token
-- with a notification pending, so messages that arrive while one is pending share it (Delta Chat
-- fetches everything when woken). Read and written only by chatmail.push.SqlitePushQueueStore.
DROP TABLE push_queue;

CREATE TABLE push_queue (
    id               INTEGER PRIMARY KEY,
    account_id       INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    token            TEXT NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,  -- failed tries of the pending notification
    first_attempt_at INTEGER,                      -- epoch ms of its first try; NULL before it
    next_attempt_at  INTEGER NOT NULL,             -- epoch ms
    created_at       INTEGER NOT NULL,             -- epoch ms
    -- Bumped by every delivery that joins the pending notification. A try that started before
    -- the bump must not finish the row: the device may have fetched before the new message.
    generation       INTEGER NOT NULL DEFAULT 0,
    UNIQUE (account_id, token)
);
CREATE INDEX push_queue_due ON push_queue (next_attempt_at);
