-- Broadcast format v2 (docs/broadcast.md): every revocation message is a Security Event Token
-- signed by the service's key. Each revocation is signed once and the compact JWS kept here,
-- so the relay publishes and the catch-up feed answers the very same string.

CREATE TABLE broadcast_messages (
    seq      bigint PRIMARY KEY,  -- the revocation event's seq in `events`
    until_ms bigint NOT NULL,     -- unix ms: every token the message covers has expired by then
    message  text   NOT NULL      -- the compact JWS
);

GRANT SELECT, INSERT ON broadcast_messages TO tokenledger_app;

-- Stores freshly signed messages, keeping whichever string was stored first for a seq (the
-- relay and the feed may sign the same revocation at once), and answers the stored strings.
-- A row lost in a crash is signed again on the next read, so the commit does not wait for the
-- WAL flush: signing stays off the revocation's critical path.
CREATE FUNCTION broadcast_store(seqs bigint[], untils bigint[], messages text[])
RETURNS TABLE (seq bigint, message text)
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('synchronous_commit', 'off', true);
    INSERT INTO broadcast_messages (seq, until_ms, message)
    SELECT * FROM unnest(seqs, untils, messages)
    ON CONFLICT DO NOTHING;
    RETURN QUERY SELECT b.seq, b.message FROM broadcast_messages b WHERE b.seq = ANY (seqs) ORDER BY b.seq;
END
$$;
