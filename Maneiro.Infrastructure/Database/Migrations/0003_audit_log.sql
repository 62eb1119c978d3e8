-- Append-only audit trail. Each row carries the hash of the row before it, so an edited or deleted row breaks
-- the chain (verify-audit names the first row that no longer matches). Updates and deletes are refused outright.
CREATE TABLE IF NOT EXISTS audit_log (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at        timestamptz NOT NULL,
    user_id   text        NULL,
    ip        text        NULL,
    action    text        NOT NULL,
    target    text        NULL,
    outcome   text        NOT NULL,
    -- json (not jsonb) keeps the exact text that was hashed.
    details   json        NULL,
    prev_hash text        NOT NULL,
    hash      text        NOT NULL
);

CREATE INDEX IF NOT EXISTS audit_log_user_ix ON audit_log (user_id, id DESC);
CREATE INDEX IF NOT EXISTS audit_log_action_at_ix ON audit_log (action, at);

CREATE OR REPLACE FUNCTION audit_log_is_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP;
END;
$$;

DROP TRIGGER IF EXISTS audit_log_no_update ON audit_log;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only();

DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log;
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only();
