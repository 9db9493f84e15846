-- ACME state every node shares (SCALE-2, in place of data_dir/acme): the account at the CA, the
-- certificate with its key, and the challenges the CA may check right now. Private keys are PEM
-- text here, readable by whoever can read this database (docs/scale-out.md).

-- One account: its key pair, the CA's directory it belongs to, its URL once registered.
CREATE TABLE acme_account (
    id        smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    key_pem   text NOT NULL,
    directory text NOT NULL,
    location  text
);

-- One certificate: chain leaf first, its key; version grows with every save, so the other
-- nodes notice a new certificate by reading one number.
CREATE TABLE acme_certificate (
    id        smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    version   bigint NOT NULL,
    chain_pem text NOT NULL,
    key_pem   text NOT NULL
);

-- Pending challenges, answered by every node: kind 'http-01' (name = token, answer = key
-- authorization) or 'tls-alpn-01' (name = lower-case domain, answer = base64 validation value).
CREATE TABLE acme_challenges (
    kind         text NOT NULL,
    name         text NOT NULL,
    answer       text NOT NULL,
    published_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (kind, name)
);
