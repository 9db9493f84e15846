-- Indexes for statements that otherwise read a whole table (QueryPlanTest, PushQueuePlanTest;
-- docs/decisions.md, "Store"): min() over a column no index leads reads every row.
-- Every commit that releases a body file asks whether a backup holds (MIG-2).
CREATE INDEX backup_holds_by_expiry ON backup_holds (expires_at);
-- The push queue's oldest job, a gauge read at every metrics scrape (OPS-3).
CREATE INDEX push_queue_by_age ON push_queue (created_at);
-- When the outbound queue's next entry is due (or its claim runs out): SqliteOutboundQueueStore's
-- NEXT_DUE asks min() of exactly this expression, which the index then answers with one entry.
CREATE INDEX outbound_recipients_ready ON outbound_recipients (max(next_attempt_at, coalesce(claimed_until, 0)));
-- Whether a file in data_dir/queue belongs to an entry, asked for each such file at start-up.
CREATE INDEX outbound_messages_by_file ON outbound_messages (file) WHERE file IS NOT NULL;
