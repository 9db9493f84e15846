-- Jobs that must run on one node at a time (SCALE-2: the daily expiry, later ACME orders): a
-- node runs the job only while it holds the job's lease; a dead node's lease runs out.
CREATE TABLE leases (
    name   text PRIMARY KEY,
    holder text NOT NULL,
    until  bigint NOT NULL   -- epoch ms
);
