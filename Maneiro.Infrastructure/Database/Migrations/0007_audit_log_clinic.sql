-- Audit rows name the clinic they belong to. Rows written before carry format 1 (no clinic in their hash) and
-- keep verifying as written; new rows are format 2, whose hash covers the clinic and the format itself.
ALTER TABLE audit_log ADD COLUMN IF NOT EXISTS clinic_id text;
ALTER TABLE audit_log ADD COLUMN IF NOT EXISTS format smallint NOT NULL DEFAULT 1;
CREATE INDEX IF NOT EXISTS audit_log_clinic_ix ON audit_log (clinic_id, id);
