-- Backups of a running relay (MIG-2). `chatmail backup` is another process: it holds here while it
-- copies the body files its database snapshot references. While a hold lasts, a commit that
-- releases a body file lists it in deferred_body_deletions instead of unlinking it; the backup
-- unlinks the listed files when it lets go, and a start-up with no live hold does.
CREATE TABLE backup_holds (
    id         INTEGER PRIMARY KEY,
    expires_at INTEGER NOT NULL  -- epoch ms (wall clock); a backup renews it while it runs
);

CREATE TABLE deferred_body_deletions (
    file TEXT PRIMARY KEY        -- the body file's name under blobs/
) WITHOUT ROWID;
