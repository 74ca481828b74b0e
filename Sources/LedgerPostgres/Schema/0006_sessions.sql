-- OP sessions live in `aggregates` (kind 'session', folded from `session/<sid>` streams). The
-- session limit and the admin API find a subject's sessions by `sub`; this index keeps that a
-- lookup. No new table: rebuild already writes these rows through the generic aggregate path.
CREATE INDEX aggregates_session_subject ON aggregates ((state->>'sub')) WHERE kind = 'session';
