-- The revocation relay and the catch-up feed (docs/broadcast.md).
--
-- The event log is the outbox: the relay reads revocation events in seq order and publishes
-- one message per event, so issuance and revocation never wait for Redis.

-- The revocation events, the one place that lists their types. Reading through this view keeps
-- the predicate identical to the partial indexes' below, so the planner can use them.
CREATE VIEW revocation_events AS
SELECT seq, type, data, occurred_at
FROM events
WHERE type IN ('grant.access_token.revoked', 'grant.revoked', 'session.revoked', 'subject.revoked', 'client.revoked');

-- The relay: "revocations after seq X", in seq order.
CREATE INDEX events_revocations_seq ON events (seq)
WHERE type IN ('grant.access_token.revoked', 'grant.revoked', 'session.revoked', 'subject.revoked', 'client.revoked');

-- The feed: revocations still in force (`until`, unix ms, is ahead), whatever their age.
CREATE INDEX events_revocations_until ON events (((data->>'until')::bigint))
WHERE type IN ('grant.access_token.revoked', 'grant.revoked', 'session.revoked', 'subject.revoked', 'client.revoked');

-- Per channel, the seq up to which every revocation has been accepted by Redis. The relay
-- moves it forward only after Redis answered the publish, never backwards.
CREATE TABLE relay_checkpoints (
    channel    text        PRIMARY KEY,
    seq        bigint      NOT NULL CHECK (seq >= 0),
    updated_at timestamptz NOT NULL DEFAULT now()
);

GRANT SELECT ON revocation_events TO tokenledger_app;
GRANT SELECT, INSERT, UPDATE ON relay_checkpoints TO tokenledger_app;
