-- One delivery in one statement (issue 16's cross-node latency): the body as one chunk, then per
-- target mailbox, in mailbox id order (so two deliveries to the same mailboxes cannot deadlock),
-- the UID and MODSEQ taken with UPDATE ... RETURNING (the row lock orders concurrent deliveries,
-- SCALE-2) and the message row. It runs inside the caller's transaction and commits with it; the
-- caller sends bodies larger than one chunk the multi-statement way. Returns one row per target:
-- its position in p_mailboxes (1-based), account, UID and MODSEQ.
CREATE FUNCTION chatmail_deliver(p_mailboxes bigint[], p_flags text[], p_seen boolean[], p_size bigint,
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
        UPDATE mailboxes SET uidnext = uidnext + 1, highestmodseq = highestmodseq + 1
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
