-- The clinic inbox's index: one row per intake item, a copy of what its grain holds that the inbox table shows and
-- filters on. It holds patient names and dates of birth, so every query names the clinic, and a clinic's rows are
-- purged with it (retention, deletion). The item's grain state stays the source of truth.
CREATE TABLE IF NOT EXISTS intake_items (
    clinic_id text NOT NULL,
    item_id text NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    status smallint NOT NULL,
    kind smallint,
    urgency smallint,
    patient_name text NOT NULL DEFAULT '',
    patient_dob text NOT NULL DEFAULT '',
    sender text NOT NULL DEFAULT '',
    assigned_to text,
    file_name text NOT NULL DEFAULT '',
    uploaded_by text NOT NULL,
    error text,
    PRIMARY KEY (clinic_id, item_id)
);
CREATE INDEX IF NOT EXISTS intake_items_inbox_ix ON intake_items (clinic_id, status, urgency, created_at);
