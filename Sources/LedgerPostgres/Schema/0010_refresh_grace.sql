-- Grace-window answers leave the log (hardening; docs/event-log.md, "Refresh grace").
--
-- A refresh inside a client's grace window gets its winner's very answer. That answer (the
-- successor refresh, access and ID tokens) was kept, sealed, in the append-only
-- `grant.refresh_token.rotated` event, so whoever held the log, an export or a backup and one
-- spent refresh token could open the live one. It now lives in `refresh_grace`, written in the
-- rotation's transaction, sealed under a key that also needs the server's key secret, and gone
-- once the grant rotates again; readers ignore rows past `expires_ms`. Like
-- `signing_key_secrets`, the table is not a projection of the log: a rebuild leaves it alone.

CREATE TABLE refresh_grace (
    grant_id        text    NOT NULL,
    from_generation integer NOT NULL,
    sealed          bytea   NOT NULL,
    expires_ms      bigint  NOT NULL,
    PRIMARY KEY (grant_id, from_generation)
);

GRANT SELECT, INSERT, DELETE ON refresh_grace TO tokenledger_app;

CREATE OR REPLACE FUNCTION apply_projection(p_projection jsonb) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF p_projection ? 'grants' THEN
        INSERT INTO grants (grant_id, client_id, subject, session_id, status, flow, version, state)
        SELECT g.grant_id, g.client_id, g.subject, g.session_id, g.status, g.flow, g.version, g.state
        FROM jsonb_to_recordset(p_projection->'grants') AS g(
            grant_id text, client_id text, subject text, session_id text, status text, flow text,
            version bigint, state jsonb)
        ON CONFLICT (grant_id) DO UPDATE SET
            client_id = EXCLUDED.client_id, subject = EXCLUDED.subject, session_id = EXCLUDED.session_id,
            status = EXCLUDED.status, flow = EXCLUDED.flow, version = EXCLUDED.version, state = EXCLUDED.state;
    END IF;

    IF p_projection ? 'refresh_tokens' THEN
        INSERT INTO refresh_tokens (token_hash, grant_id, generation)
        SELECT r.token_hash, r.grant_id, r.generation
        FROM jsonb_to_recordset(p_projection->'refresh_tokens') AS r(
            token_hash text, grant_id text, generation integer);
    END IF;

    IF p_projection ? 'authorization_codes' THEN
        INSERT INTO authorization_codes (code_hash, grant_id, expires_ms)
        SELECT c.code_hash, c.grant_id, c.expires_ms
        FROM jsonb_to_recordset(p_projection->'authorization_codes') AS c(
            code_hash text, grant_id text, expires_ms bigint);
    END IF;

    IF p_projection ? 'denylist' THEN
        INSERT INTO denylist (scope, key, not_before_ms, until_ms, reason)
        SELECT d.scope, d.key, d.not_before_ms, d.until_ms, d.reason
        FROM jsonb_to_recordset(p_projection->'denylist') AS d(
            scope text, key text, not_before_ms bigint, until_ms bigint, reason text)
        ON CONFLICT (scope, key) DO UPDATE SET
            not_before_ms = EXCLUDED.not_before_ms, until_ms = EXCLUDED.until_ms, reason = EXCLUDED.reason;
    END IF;

    IF p_projection ? 'aggregates' THEN
        INSERT INTO aggregates (stream_id, kind, version, state)
        SELECT a.stream_id, a.kind, a.version, a.state
        FROM jsonb_to_recordset(p_projection->'aggregates') AS a(
            stream_id text, kind text, version bigint, state jsonb)
        ON CONFLICT (stream_id) DO UPDATE SET version = EXCLUDED.version, state = EXCLUDED.state;
    END IF;

    IF p_projection ? 'refresh_grace' THEN
        -- Only the last rotation of a grant can be replayed: its older answers go.
        DELETE FROM refresh_grace r
        USING jsonb_to_recordset(p_projection->'refresh_grace') AS n(grant_id text)
        WHERE r.grant_id = n.grant_id;
        INSERT INTO refresh_grace (grant_id, from_generation, sealed, expires_ms)
        SELECT n.grant_id, n.from_generation, decode(n.sealed, 'base64'), n.expires_ms
        FROM jsonb_to_recordset(p_projection->'refresh_grace') AS n(
            grant_id text, from_generation integer, sealed text, expires_ms bigint);
    END IF;

    IF p_projection ? 'key_secrets' THEN
        INSERT INTO signing_key_secrets (kid, sealed)
        SELECT k.kid, decode(k.sealed, 'base64')
        FROM jsonb_to_recordset(p_projection->'key_secrets') AS k(kid text, sealed text)
        ON CONFLICT (kid) DO NOTHING;
    END IF;
END;
$$;
