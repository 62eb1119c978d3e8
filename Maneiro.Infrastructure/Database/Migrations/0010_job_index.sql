-- The ordered lists behind IJobIndexGrain (a user's analyses and recordings, an analysis's letters, a clinic's exports
-- and templates), one row per entry. They were grain state, the whole list rewritten at every add: an account's
-- history made each of its uploads slower and its index grain larger, for ever. A grain moves a list saved the old
-- way into this table when it activates. seq keeps the order in which entries of the same instant were added.
CREATE TABLE IF NOT EXISTS job_index (
    index_key  text        NOT NULL,
    job_id     text        NOT NULL,
    created_at timestamptz NOT NULL,
    seq        bigint      GENERATED ALWAYS AS IDENTITY,
    PRIMARY KEY (index_key, job_id)
);
CREATE INDEX IF NOT EXISTS job_index_newest_ix ON job_index (index_key, created_at DESC, seq);
