-- The append-only event log (docs/event-log.md, I2).
--
-- Every fact is one row. `seq` is global, gap-free and in commit order: it is computed by the
-- single writer path (ledger_append, 0002) while it holds the row lock on ledger_head, so batches
-- from every process are serialized and a rolled-back batch burns no numbers.
-- `hash = SHA-256(prev_hash || canonical bytes of the event)`; see docs/event-log.md.

CREATE TABLE events (
    seq            bigint      PRIMARY KEY CHECK (seq > 0),
    stream_id      text        NOT NULL CHECK (stream_id LIKE '%/%'),
    stream_version bigint      NOT NULL CHECK (stream_version > 0),
    type           text        NOT NULL,
    data           jsonb       NOT NULL,
    metadata       jsonb       NOT NULL,
    occurred_at    timestamptz NOT NULL,
    prev_hash      bytea       NOT NULL CHECK (octet_length(prev_hash) = 32),
    hash           bytea       NOT NULL CHECK (octet_length(hash) = 32),
    UNIQUE (stream_id, stream_version)
);

-- occurred_at grows with seq, so a BRIN index finds time ranges at almost no write cost.
-- (stream_id, stream_version) doubles as the version index for optimistic concurrency.
CREATE INDEX events_occurred_at ON events USING brin (occurred_at);

-- The chain head: the last committed seq and hash. Its row lock serializes appends.
CREATE TABLE ledger_head (
    id   boolean PRIMARY KEY DEFAULT true CHECK (id),
    seq  bigint  NOT NULL,
    hash bytea   NOT NULL CHECK (octet_length(hash) = 32)
);
INSERT INTO ledger_head (seq, hash) VALUES (0, decode(repeat('00', 32), 'hex'));

-- Append-only at the database level: no UPDATE, DELETE or TRUNCATE, whoever asks.
CREATE FUNCTION events_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'events is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER events_no_update_delete
    BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION events_refuse_change();

CREATE TRIGGER events_no_truncate
    BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION events_refuse_change();
