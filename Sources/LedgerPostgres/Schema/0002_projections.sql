-- Inline projections (docs/event-log.md): live state derived from the log, written in the same
-- transaction as the events that change it, and rebuildable from the log (`tokenledger rebuild`).

-- One row per grant (refresh-token family): the folded state plus columns to query by.
CREATE TABLE grants (
    grant_id   text   PRIMARY KEY,
    client_id  text   NOT NULL,
    subject    text   NOT NULL,
    session_id text,
    status     text   NOT NULL,
    flow       text   NOT NULL,
    version    bigint NOT NULL,
    state      jsonb  NOT NULL
);
CREATE INDEX grants_subject ON grants (subject);
CREATE INDEX grants_client ON grants (client_id);
CREATE INDEX grants_session ON grants (session_id) WHERE session_id IS NOT NULL;

-- Every refresh token ever issued, by hash, with its generation: the index that finds the
-- grant of a presented token and tells a current token from a rotated one.
CREATE TABLE refresh_tokens (
    token_hash text    PRIMARY KEY,
    grant_id   text    NOT NULL,
    generation integer NOT NULL
);
CREATE INDEX refresh_tokens_grant ON refresh_tokens (grant_id);

-- Authorization codes by hash.
CREATE TABLE authorization_codes (
    code_hash  text   PRIMARY KEY,
    grant_id   text   NOT NULL,
    expires_ms bigint NOT NULL
);

-- The deny-list: every revocation that can still matter, by scope and key
-- (token → jti, grant → grant id, session → sid, subject → sub, client → client id).
CREATE TABLE denylist (
    scope         text   NOT NULL,
    key           text   NOT NULL,
    not_before_ms bigint,
    until_ms      bigint NOT NULL,
    reason        text   NOT NULL,
    PRIMARY KEY (scope, key)
);
CREATE INDEX denylist_until ON denylist (until_ms);

-- Applies projection rows given as data ({"grants": [...], "refresh_tokens": [...],
-- "authorization_codes": [...], "denylist": [...]}). Used by ledger_append and by rebuild.
CREATE FUNCTION apply_projection(p_projection jsonb) RETURNS void LANGUAGE plpgsql AS $$
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
END;
$$;

-- The one write path: appends a batch of events and its projection changes atomically.
--
-- Called as a single statement (its own transaction). It locks the chain head, refuses the
-- whole batch if the caller's view of the head is stale ('stale') or any stream's expected
-- version is wrong ('conflict', with the 1-based indexes of the offending appends), and
-- otherwise inserts every event with the seq and hashes the caller computed, advances stream
-- versions and the head, applies the projection changes and rings the doorbell.
CREATE FUNCTION ledger_append(
    p_head_seq          bigint,
    p_head_hash         bytea,
    p_streams           text[],
    p_expected_versions bigint[],
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

    SELECT array_agg(a.i::integer ORDER BY a.i) INTO bad
    FROM unnest(p_streams, p_expected_versions) WITH ORDINALITY AS a(stream_id, expected, i)
    WHERE a.expected <> coalesce(
        (SELECT max(e.stream_version) FROM events e WHERE e.stream_id = a.stream_id), 0);
    IF bad IS NOT NULL THEN
        RETURN QUERY SELECT 'conflict'::text, head.seq, head.hash, bad;
        RETURN;
    END IF;

    INSERT INTO events (seq, stream_id, stream_version, type, data, metadata, occurred_at, prev_hash, hash)
    SELECT head.seq + e.i, e.stream_id, e.version, e.type, e.data::jsonb, e.metadata::jsonb,
           timestamptz 'epoch' + p_occurred_ms * interval '1 millisecond', e.prev_hash, e.hash
    FROM unnest(p_event_streams, p_event_versions, p_event_types, p_event_data, p_event_metadata,
                p_prev_hashes, p_hashes)
         WITH ORDINALITY AS e(stream_id, version, type, data, metadata, prev_hash, hash, i);

    PERFORM apply_projection(p_projection);

    new_seq := head.seq + n;
    new_hash := CASE WHEN n = 0 THEN head.hash ELSE p_hashes[n] END;
    UPDATE ledger_head SET seq = new_seq, hash = new_hash WHERE id;
    PERFORM pg_notify('tokenledger_events', new_seq::text);
    RETURN QUERY SELECT 'ok'::text, new_seq, new_hash, NULL::integer[];
END;
$$;
