-- Deliveries to several mailboxes are one plain statement now, as deliveries to one mailbox
-- already were (chatmail.store.postgresql.MessageRows): the rule for adding a message lives in
-- one place, and this function, which stated it a second time, is no longer called. All nodes
-- of a cluster are upgraded together (docs/decisions.md), so none still calls it.
DROP FUNCTION chatmail_deliver(bigint[], text[], boolean[], bigint, bigint, bytea);
