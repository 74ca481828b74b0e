-- Bounded live state (docs/storage.md): every projection row that can stop mattering says
-- when, and the sweeper (`ProjectionSweeper`, one replica at a time) removes it then; a rebuild
-- at a time T writes exactly the rows still retained at T.
--
-- `grants.retain_until_ms`: when no token of the grant can be used any more (every access and
-- ID token expired, the code expired, the refresh family past its absolute limit or revoked).
-- `aggregates.retain_until_ms`: an ended session's end, a login flow's expiry; NULL for what is
-- kept as long as it exists (clients, keys, subjects, active sessions, consents). Deny-list
-- entries go 15 s after `until_ms` (the validators' skew), codes at `expires_ms`.
--
-- A subject's history and the subject and client filters of exports find their streams in the
-- log itself (the `sub` and `client_id` of the events that start them), so what the sweeper
-- removes stays in all three.

ALTER TABLE grants ADD COLUMN retain_until_ms bigint;
UPDATE grants SET retain_until_ms = greatest(
    (state->>'tokens_expire_by')::bigint,
    coalesce((state->'code'->>'expires_at')::bigint, 0),
    CASE WHEN state ? 'refresh' AND state->'refresh' <> 'null'::jsonb AND status <> 'revoked'
         THEN (state->>'refresh_absolute_expires_at')::bigint ELSE 0 END
);
ALTER TABLE grants ALTER COLUMN retain_until_ms SET NOT NULL;
CREATE INDEX grants_retain_until ON grants (retain_until_ms);

ALTER TABLE aggregates ADD COLUMN retain_until_ms bigint;
UPDATE aggregates SET retain_until_ms = (state->>'expires_at')::bigint WHERE kind = 'login';
UPDATE aggregates SET retain_until_ms = greatest((state->>'ended_at')::bigint, (state->>'revoked_at')::bigint)
    WHERE kind = 'session' AND (state ? 'ended_at' OR state ? 'revoked_at');
CREATE INDEX aggregates_retain_until ON aggregates (retain_until_ms) WHERE retain_until_ms IS NOT NULL;

CREATE INDEX authorization_codes_expires ON authorization_codes (expires_ms);

CREATE INDEX events_subject_streams ON events ((data->>'sub'))
    WHERE type IN ('grant.started', 'session.started', 'login.accepted', 'consent.remembered');
CREATE INDEX events_client_grants ON events ((data->>'client_id')) WHERE type = 'grant.started';

GRANT DELETE ON grants, refresh_tokens, authorization_codes, denylist, aggregates TO tokenledger_app;

CREATE OR REPLACE FUNCTION apply_projection(p_projection jsonb) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF p_projection ? 'grants' THEN
        INSERT INTO grants (grant_id, client_id, subject, session_id, status, flow, version, state, retain_until_ms)
        SELECT g.grant_id, g.client_id, g.subject, g.session_id, g.status, g.flow, g.version, g.state, g.retain_until_ms
        FROM jsonb_to_recordset(p_projection->'grants') AS g(
            grant_id text, client_id text, subject text, session_id text, status text, flow text,
            version bigint, state jsonb, retain_until_ms bigint)
        ON CONFLICT (grant_id) DO UPDATE SET
            client_id = EXCLUDED.client_id, subject = EXCLUDED.subject, session_id = EXCLUDED.session_id,
            status = EXCLUDED.status, flow = EXCLUDED.flow, version = EXCLUDED.version, state = EXCLUDED.state,
            retain_until_ms = EXCLUDED.retain_until_ms;
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
        INSERT INTO aggregates (stream_id, kind, version, state, retain_until_ms)
        SELECT a.stream_id, a.kind, a.version, a.state, a.retain_until_ms
        FROM jsonb_to_recordset(p_projection->'aggregates') AS a(
            stream_id text, kind text, version bigint, state jsonb, retain_until_ms bigint)
        ON CONFLICT (stream_id) DO UPDATE SET version = EXCLUDED.version, state = EXCLUDED.state,
            retain_until_ms = EXCLUDED.retain_until_ms;
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
