-- The admin key-metrics page reads every audit row of the last 24 hours / 30 days across all actions; the
-- (action, at) index cannot serve a range on time alone.
CREATE INDEX IF NOT EXISTS audit_log_at_ix ON audit_log (at);
