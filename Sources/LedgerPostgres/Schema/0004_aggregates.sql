-- Folded state of every aggregate that is not a grant (clients, signing keys, sessions), by
-- stream, for decisions and admin reads. Rebuildable from the log like every projection.
CREATE TABLE aggregates (
    stream_id text   PRIMARY KEY,
    kind      text   NOT NULL,
    version   bigint NOT NULL,
    state     jsonb  NOT NULL
);
CREATE INDEX aggregates_kind ON aggregates (kind);

-- Private signing keys, sealed with AES-GCM under TOKENLEDGER_KEY_SECRET (README, Configuration). Not a
-- projection: the log records only public keys and key ids, so rebuild never touches this.
CREATE TABLE signing_key_secrets (
    kid    text  PRIMARY KEY,
    sealed bytea NOT NULL
);

CREATE OR REPLACE FUNCTION apply_projection(p_projection jsonb) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO grants (grant_id, client_id, subject, session_id, status, flow, version, state)
    SELECT g.grant_id, g.client_id, g.subject, g.session_id, g.status, g.flow, g.version, g.state
    FROM jsonb_to_recordset(coalesce(p_projection->'grants', '[]')) AS g(
        grant_id text, client_id text, subject text, session_id text, status text, flow text,
        version bigint, state jsonb)
    ON CONFLICT (grant_id) DO UPDATE SET
        client_id = EXCLUDED.client_id, subject = EXCLUDED.subject, session_id = EXCLUDED.session_id,
        status = EXCLUDED.status, flow = EXCLUDED.flow, version = EXCLUDED.version, state = EXCLUDED.state;

    INSERT INTO refresh_tokens (token_hash, grant_id, generation)
    SELECT r.token_hash, r.grant_id, r.generation
    FROM jsonb_to_recordset(coalesce(p_projection->'refresh_tokens', '[]')) AS r(
        token_hash text, grant_id text, generation integer);

    INSERT INTO authorization_codes (code_hash, grant_id, expires_ms)
    SELECT c.code_hash, c.grant_id, c.expires_ms
    FROM jsonb_to_recordset(coalesce(p_projection->'authorization_codes', '[]')) AS c(
        code_hash text, grant_id text, expires_ms bigint);

    INSERT INTO denylist (scope, key, not_before_ms, until_ms, reason)
    SELECT d.scope, d.key, d.not_before_ms, d.until_ms, d.reason
    FROM jsonb_to_recordset(coalesce(p_projection->'denylist', '[]')) AS d(
        scope text, key text, not_before_ms bigint, until_ms bigint, reason text)
    ON CONFLICT (scope, key) DO UPDATE SET
        not_before_ms = EXCLUDED.not_before_ms, until_ms = EXCLUDED.until_ms, reason = EXCLUDED.reason;

    INSERT INTO aggregates (stream_id, kind, version, state)
    SELECT a.stream_id, a.kind, a.version, a.state
    FROM jsonb_to_recordset(coalesce(p_projection->'aggregates', '[]')) AS a(
        stream_id text, kind text, version bigint, state jsonb)
    ON CONFLICT (stream_id) DO UPDATE SET version = EXCLUDED.version, state = EXCLUDED.state;

    INSERT INTO signing_key_secrets (kid, sealed)
    SELECT k.kid, decode(k.sealed, 'base64')
    FROM jsonb_to_recordset(coalesce(p_projection->'key_secrets', '[]')) AS k(kid text, sealed text)
    ON CONFLICT (kid) DO NOTHING;
END;
$$;

GRANT SELECT, INSERT, UPDATE ON aggregates TO tokenledger_app;
GRANT SELECT, INSERT ON signing_key_secrets TO tokenledger_app;
