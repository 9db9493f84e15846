-- The bytes of each mailbox's messages, kept in the row every change of the mailbox already
-- updates (UIDNEXT, HIGHESTMODSEQ), so an account's quota usage (IMAP-6) is a sum over its few
-- mailboxes instead of over all its messages, twice per delivery (issue 16). It changes under
-- the mailbox row's lock in the transaction that inserts or deletes the messages, so concurrent
-- deliveries and expunges add up as the messages do.
ALTER TABLE mailboxes ADD COLUMN used bigint NOT NULL DEFAULT 0;
UPDATE mailboxes b SET used = m.total
    FROM (SELECT mailbox_id, sum(size) AS total FROM messages GROUP BY mailbox_id) m
    WHERE m.mailbox_id = b.id;

-- V6's function, adding each copy's size to its mailbox in the UPDATE that takes the UID.
CREATE OR REPLACE FUNCTION chatmail_deliver(p_mailboxes bigint[], p_flags text[], p_seen boolean[], p_size bigint,
                                            p_internal_date bigint, p_body bytea)
    RETURNS TABLE (o_target integer, o_account bigint, o_uid bigint, o_modseq bigint)
    LANGUAGE plpgsql AS $$
DECLARE
    v_body bigint;
BEGIN
    INSERT INTO bodies (refcount, size) VALUES (cardinality(p_mailboxes), p_size) RETURNING id INTO v_body;
    INSERT INTO body_chunks (body_id, seq, data) VALUES (v_body, 0, p_body);
    FOR o_target IN
        SELECT t.ord FROM unnest(p_mailboxes) WITH ORDINALITY AS t(id, ord) ORDER BY t.id, t.ord
    LOOP
        UPDATE mailboxes SET uidnext = uidnext + 1, highestmodseq = highestmodseq + 1, used = used + p_size
            WHERE id = p_mailboxes[o_target]
            RETURNING account_id, uidnext - 1, highestmodseq INTO o_account, o_uid, o_modseq;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'no such mailbox' USING ERRCODE = 'P0002';
        END IF;
        INSERT INTO messages (mailbox_id, uid, account_id, body_id, flags, seen, modseq, size, internal_date)
            VALUES (p_mailboxes[o_target], o_uid, o_account, v_body, p_flags[o_target], p_seen[o_target], o_modseq,
                    p_size, p_internal_date);
        RETURN NEXT;
    END LOOP;
END
$$;
