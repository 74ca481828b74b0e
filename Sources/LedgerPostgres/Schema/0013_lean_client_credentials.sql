-- One event per client_credentials token (docs/storage.md).
--
-- A client credentials token is one `grant.client_credentials` event and no live row: its
-- revocation is a deny-list entry, and the rare command on it folds its one-event stream from
-- the log. The rows older client credentials grants left in `grants` go, as a rebuild leaves
-- them out too.

-- A client's history and exports find its client credentials tokens here, as its code grants
-- through events_client_grants (0012); a subject's, when the subject is a client, too.
CREATE INDEX events_client_credentials ON events ((data->>'client_id')) WHERE type = 'grant.client_credentials';

DELETE FROM grants WHERE flow = 'client_credentials';
