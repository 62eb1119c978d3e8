-- The same document analysed again with the same settings is offered its earlier result. A row holds a keyed hash
-- (HMAC under a per-user key derived from SECRET_KEY) of the content and the analysis settings, never the content or
-- a plain hash of it; the row goes when its analysis is deleted.
CREATE TABLE IF NOT EXISTS analysis_fingerprints (
    owner_id text NOT NULL,
    fingerprint bytea NOT NULL,
    analysis_id text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (owner_id, fingerprint)
);
CREATE INDEX IF NOT EXISTS analysis_fingerprints_analysis_ix ON analysis_fingerprints (analysis_id);
