-- Issue 11. A queued message larger than the inline limit keeps its body in a file under
-- data_dir/queue/; content then holds only the header put on top of it (the DKIM-Signature
-- field). The mail store writes such an entry in the same commit as the submission's local
-- copies, so a crash between the two cannot happen.
ALTER TABLE outbound_messages ADD COLUMN file TEXT;

-- A recipient that failed finally but whose bounce could not be stored yet keeps its final SMTP
-- reply here and stays queued, so the bounce is retried instead of dropped.
ALTER TABLE outbound_recipients ADD COLUMN final_reply TEXT;
