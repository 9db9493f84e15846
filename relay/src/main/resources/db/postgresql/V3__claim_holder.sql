-- Which node holds an outbound entry's claim: a node that stops in order releases its claims
-- at once (a killed one keeps them until claimed_until), so a rolling restart delays nothing.
ALTER TABLE outbound_recipients ADD COLUMN claimed_by text;
