-- The write path, made cheaper (docs/event-log.md, "Group commit").
--
-- 1. Version conflicts are found by the insert itself. An append's expected version is always
--    one the caller read from a committed projection, and stream versions only grow, so a
--    stream that moved past it already holds the row (stream_id, expected + 1): the unique
--    index refuses the insert. The per-stream `max(stream_version)` probe now runs only then,
--    to name the losing appends, instead of on every batch.
-- 2. Read checks: an append may name streams its decision read (the client whose registration
--    authorized a token) with the versions it saw. If any moved, nothing is written and the
--    batch answers 'stale_read' with those appends, so the caller re-reads and decides again.
-- 3. Projection rows: NULL when a batch changes none, and each table touched only when the
--    batch has rows for it.
-- 4. One deny-list predicate (denylist_covers) for every reader, and room for in-place grant
--    row updates.

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

    IF p_projection ? 'key_secrets' THEN
        INSERT INTO signing_key_secrets (kid, sealed)
        SELECT k.kid, decode(k.sealed, 'base64')
        FROM jsonb_to_recordset(p_projection->'key_secrets') AS k(kid text, sealed text)
        ON CONFLICT (kid) DO NOTHING;
    END IF;
END;
$$;

DROP FUNCTION ledger_append(bigint, bytea, text[], bigint[], text[], bigint[], text[], text[], text[], bigint, bytea[], bytea[], jsonb);

-- The one write path (see 0002 for the contract). Answers 'ok', 'stale' (the caller's head is
-- not the current one), 'conflict' (these 1-based appends expected a version their stream no
-- longer has) or 'stale_read' (these appends read a stream that has moved since).
CREATE FUNCTION ledger_append(
    p_head_seq          bigint,
    p_head_hash         bytea,
    p_streams           text[],
    p_expected_versions bigint[],
    p_read_streams      text[],
    p_read_versions     bigint[],
    p_read_appends      integer[],
    p_event_streams     text[],
    p_event_versions    bigint[],
    p_event_types       text[],
    p_event_data        text[],
    p_event_metadata    text[],
    p_occurred_ms       bigint,
    p_prev_hashes       bytea[],
    p_hashes            bytea[],
    p_projection        jsonb
) RETURNS TABLE (status text, head_seq bigint, head_hash bytea, conflicts integer[])
LANGUAGE plpgsql AS $$
DECLARE
    head      ledger_head%ROWTYPE;
    bad       integer[];
    new_seq   bigint;
    new_hash  bytea;
    n         integer := coalesce(array_length(p_event_types, 1), 0);
BEGIN
    SELECT * INTO head FROM ledger_head WHERE id FOR UPDATE;
    IF p_head_seq IS DISTINCT FROM head.seq OR p_head_hash IS DISTINCT FROM head.hash THEN
        RETURN QUERY SELECT 'stale'::text, head.seq, head.hash, NULL::integer[];
        RETURN;
    END IF;

    IF p_read_streams IS NOT NULL THEN
        SELECT array_agg(DISTINCT r.a ORDER BY r.a) INTO bad
        FROM unnest(p_read_streams, p_read_versions, p_read_appends) AS r(stream_id, version, a)
        WHERE r.version <> coalesce(
            (SELECT max(e.stream_version) FROM events e WHERE e.stream_id = r.stream_id), 0);
        IF bad IS NOT NULL THEN
            RETURN QUERY SELECT 'stale_read'::text, head.seq, head.hash, bad;
            RETURN;
        END IF;
    END IF;

    BEGIN
        INSERT INTO events (seq, stream_id, stream_version, type, data, metadata, occurred_at, prev_hash, hash)
        SELECT head.seq + e.i, e.stream_id, e.version, e.type, e.data::jsonb, e.metadata::jsonb,
               timestamptz 'epoch' + p_occurred_ms * interval '1 millisecond', e.prev_hash, e.hash
        FROM unnest(p_event_streams, p_event_versions, p_event_types, p_event_data, p_event_metadata,
                    p_prev_hashes, p_hashes)
             WITH ORDINALITY AS e(stream_id, version, type, data, metadata, prev_hash, hash, i);
    EXCEPTION WHEN unique_violation THEN
        SELECT array_agg(a.i::integer ORDER BY a.i) INTO bad
        FROM unnest(p_streams, p_expected_versions) WITH ORDINALITY AS a(stream_id, expected, i)
        WHERE a.expected <> coalesce(
            (SELECT max(e.stream_version) FROM events e WHERE e.stream_id = a.stream_id), 0);
        IF bad IS NULL THEN
            RAISE;
        END IF;
        RETURN QUERY SELECT 'conflict'::text, head.seq, head.hash, bad;
        RETURN;
    END;

    IF p_projection IS NOT NULL THEN
        PERFORM apply_projection(p_projection);
    END IF;

    new_seq := head.seq + n;
    new_hash := CASE WHEN n = 0 THEN head.hash ELSE p_hashes[n] END;
    UPDATE ledger_head SET seq = new_seq, hash = new_hash WHERE id;
    PERFORM pg_notify('tokenledger_events', new_seq::text);
    RETURN QUERY SELECT 'ok'::text, new_seq, new_hash, NULL::integer[];
END;
$$;

GRANT EXECUTE ON FUNCTION ledger_append(bigint, bytea, text[], bigint[], text[], bigint[], integer[], text[], bigint[], text[], text[], text[], bigint, bytea[], bytea[], jsonb) TO tokenledger_app;

-- Whether the deny-list revokes a token (docs/broadcast.md): its jti, its grant, its session, or its
-- subject or client revoked after it was issued; only entries still in force at p_now_ms. One
-- definition for DenyList and for the refresh-token lookup, which asks it in the same query
-- that finds the grant.
CREATE FUNCTION denylist_covers(
    p_now_ms bigint, p_jti text, p_grant text, p_session text, p_subject text, p_client text, p_issued_ms bigint
) RETURNS boolean LANGUAGE plpgsql STABLE AS $$
BEGIN
    -- plpgsql, not sql: a sql function with a subquery is not inlined and would be planned
    -- again on every call; this plan is cached per connection.
    RETURN EXISTS (
        SELECT 1 FROM denylist WHERE until_ms > p_now_ms AND (
            (scope = 'token' AND key = p_jti)
            OR (scope = 'grant' AND key = p_grant)
            OR (scope = 'session' AND key = p_session)
            OR (scope = 'subject' AND key = p_subject AND not_before_ms > p_issued_ms)
            OR (scope = 'client' AND key = p_client AND not_before_ms > p_issued_ms)
        )
    );
END;
$$;

GRANT EXECUTE ON FUNCTION denylist_covers(bigint, text, text, text, text, text, bigint) TO tokenledger_app;

-- A refresh rewrites its grant's row (state, version) without touching an indexed column.
-- With room left on each page PostgreSQL updates it in place (a HOT update), instead of adding
-- an entry to each of the table's four indexes for every rotation.
ALTER TABLE grants SET (fillfactor = 70);
