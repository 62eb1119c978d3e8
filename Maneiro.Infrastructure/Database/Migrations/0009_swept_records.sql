-- What a retention sweep deleted: ids, kinds and dates only (never patient data), so a page asked for a swept record
-- can say "deleted on … under the clinic's retention policy" instead of failing, and each sweep's counts are exact even
-- when it was resumed after a crash.
CREATE TABLE IF NOT EXISTS swept_records (
    record_id text PRIMARY KEY,
    kind text NOT NULL,
    clinic_id text NOT NULL,
    sweep_id text NOT NULL,
    swept_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS swept_records_sweep_ix ON swept_records (sweep_id);
