-- A submission's queue copy may be committed before its DKIM signature is made (the signature is
-- computed beside the commit, off the delivery path): such a row has sign_at_send and holds the
-- message unsigned; an attempt that finds no signature made in memory for it (after a restart, or
-- on another node) signs it then. Rows written before this migration are signed.
ALTER TABLE outbound_messages ADD COLUMN sign_at_send boolean NOT NULL DEFAULT false;
