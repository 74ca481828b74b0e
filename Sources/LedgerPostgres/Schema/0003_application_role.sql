-- The application role (I2, docs/design.md): what the service needs and nothing more. It may read and
-- append events but holds no UPDATE, DELETE or TRUNCATE on them; the trigger in 0001 refuses
-- those even to the table owner. Grant it to the login role the service uses:
--     CREATE ROLE tokenledger LOGIN PASSWORD '…' IN ROLE tokenledger_app;
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'tokenledger_app') THEN
        CREATE ROLE tokenledger_app NOLOGIN;
    END IF;
END
$$;

REVOKE ALL ON events FROM PUBLIC;
GRANT SELECT, INSERT ON events TO tokenledger_app;
GRANT SELECT, UPDATE ON ledger_head TO tokenledger_app;
GRANT SELECT, INSERT, UPDATE ON grants TO tokenledger_app;
GRANT SELECT, INSERT ON refresh_tokens, authorization_codes TO tokenledger_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON denylist TO tokenledger_app;
GRANT SELECT ON schema_migrations TO tokenledger_app;
GRANT EXECUTE ON FUNCTION ledger_append(bigint, bytea, text[], bigint[], text[], bigint[], text[], text[], text[], bigint, bytea[], bytea[], jsonb) TO tokenledger_app;
GRANT EXECUTE ON FUNCTION apply_projection(jsonb) TO tokenledger_app;
