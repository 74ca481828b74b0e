-- Claims supplied by the platform's login and consent apps (login delegation, docs/login-delegation.md).
--
-- The log records which claims were supplied (their names, in `login.accepted` and
-- `consent.granted`), never their values: personal data stays out of the append-only log and
-- its exports. The values live here, keyed by the login flow until the code is issued, then by
-- its grant as well; the ID tokens and `/userinfo` of that grant read them. A later grant of
-- the same OP session signed in without the apps (`prompt=none`) gets a copy. Like
-- `refresh_grace`, the table is not a projection of the log: a rebuild leaves it alone.

CREATE TABLE delegated_claims (
    flow_id    text   PRIMARY KEY,
    grant_id   text   UNIQUE,
    session_id text,
    client_id  text,
    claims     jsonb  NOT NULL,
    expires_ms bigint NOT NULL,
    bound_ms   bigint
);

CREATE INDEX delegated_claims_by_session ON delegated_claims (session_id, bound_ms);

GRANT SELECT, INSERT, UPDATE, DELETE ON delegated_claims TO tokenledger_app;
