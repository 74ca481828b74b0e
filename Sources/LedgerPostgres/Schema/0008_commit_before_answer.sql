-- The write path answers only after its commit (docs/event-log.md, "Group commit").
--
-- A `ledger_append` statement runs in the implicit transaction of its protocol message, which
-- commits after the statement's rows were sent: a caller holding the 'ok' row could not tell a
-- commit that then failed. The writer used to prove durability with a second round trip.
-- `ledger_commit` is the same call as a procedure that commits before it answers: its 'ok'
-- row is sent only after the batch is durable (synchronous_commit=on) and the head lock is
-- released. Called only outside a transaction block, as CALL requires for transaction control.

CREATE PROCEDURE ledger_commit(
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
    p_projection        jsonb,
    OUT status          text,
    OUT head_seq        bigint,
    OUT head_hash       bytea,
    OUT conflicts       integer[]
) LANGUAGE plpgsql AS $$
BEGIN
    SELECT a.status, a.head_seq, a.head_hash, a.conflicts INTO status, head_seq, head_hash, conflicts
    FROM ledger_append(p_head_seq, p_head_hash, p_streams, p_expected_versions, p_read_streams, p_read_versions,
                       p_read_appends, p_event_streams, p_event_versions, p_event_types, p_event_data,
                       p_event_metadata, p_occurred_ms, p_prev_hashes, p_hashes, p_projection) AS a;
    COMMIT;
END;
$$;

GRANT EXECUTE ON PROCEDURE ledger_commit(bigint, bytea, text[], bigint[], text[], bigint[], integer[], text[], bigint[], text[], text[], text[], bigint, bytea[], bytea[], jsonb) TO tokenledger_app;
