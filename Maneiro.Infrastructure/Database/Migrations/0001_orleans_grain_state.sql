-- Grain state for Orleans' ADO.NET storage provider (Microsoft.Orleans.Persistence.AdoNet 10.x).
-- The provider reads three query texts from table OrleansQuery by key and binds:
--   @GrainIdHash int, @GrainIdN0 bigint, @GrainIdN1 bigint, @GrainTypeHash int, @GrainTypeString text,
--   @GrainIdExtensionString text (null when the key has no extension), @ServiceId text,
--   @GrainStateVersion int (null for a grain never written), @PayloadBinary bytea.
-- Write and clear must return exactly one row holding the new version; returning the caller's version (or null
-- for a first write) tells the provider the ETag check failed, and it throws InconsistentStateException.

CREATE TABLE IF NOT EXISTS orleans_grain_state (
    service_id      text        NOT NULL,
    grain_type_hash integer     NOT NULL,
    grain_type      text        NOT NULL,
    grain_id_hash   integer     NOT NULL,
    grain_id_n0     bigint      NOT NULL,
    grain_id_n1     bigint      NOT NULL,
    grain_id_ext    text        NOT NULL DEFAULT '',
    payload         bytea       NULL,
    version         integer     NOT NULL,
    modified_at     timestamptz NOT NULL DEFAULT now(),
    -- Looked up by the natural key (the primary key index); the provider's hashes are stored but not trusted for identity.
    CONSTRAINT orleans_grain_state_pk
        PRIMARY KEY (service_id, grain_type, grain_id_n0, grain_id_n1, grain_id_ext)
);

CREATE OR REPLACE FUNCTION orleans_grain_state_write(
    p_grain_id_hash integer, p_n0 bigint, p_n1 bigint, p_type_hash integer, p_type text, p_ext text,
    p_service text, p_expected_version integer, p_payload bytea)
RETURNS TABLE (new_version integer)
LANGUAGE plpgsql AS $$
DECLARE
    written integer;
BEGIN
    IF p_expected_version IS NULL THEN
        -- First write: a concurrent first write wins the insert, and this one reports the conflict (null).
        INSERT INTO orleans_grain_state
            (service_id, grain_type_hash, grain_type, grain_id_hash, grain_id_n0, grain_id_n1, grain_id_ext, payload, version)
        VALUES
            (p_service, p_type_hash, p_type, p_grain_id_hash, p_n0, p_n1, coalesce(p_ext, ''), p_payload, 1)
        ON CONFLICT ON CONSTRAINT orleans_grain_state_pk DO NOTHING
        RETURNING version INTO written;
    ELSE
        UPDATE orleans_grain_state
           SET payload = p_payload, version = version + 1, modified_at = now()
         WHERE service_id = p_service AND grain_type = p_type
           AND grain_id_n0 = p_n0 AND grain_id_n1 = p_n1 AND grain_id_ext = coalesce(p_ext, '')
           AND version = p_expected_version
        RETURNING version INTO written;
        -- No row matched the expected version: hand the caller's version back so the provider sees the conflict.
        written := coalesce(written, p_expected_version);
    END IF;
    RETURN QUERY SELECT written;
END;
$$;

CREATE OR REPLACE FUNCTION orleans_grain_state_clear(
    p_grain_id_hash integer, p_n0 bigint, p_n1 bigint, p_type_hash integer, p_type text, p_ext text,
    p_service text, p_expected_version integer)
RETURNS TABLE (new_version integer)
LANGUAGE plpgsql AS $$
DECLARE
    cleared integer;
BEGIN
    -- Clearing keeps the row (payload null) so the version keeps counting and stale writers still conflict.
    UPDATE orleans_grain_state
       SET payload = NULL, version = version + 1, modified_at = now()
     WHERE service_id = p_service AND grain_type = p_type
       AND grain_id_n0 = p_n0 AND grain_id_n1 = p_n1 AND grain_id_ext = coalesce(p_ext, '')
       AND version IS NOT DISTINCT FROM p_expected_version
    RETURNING version INTO cleared;
    RETURN QUERY SELECT coalesce(cleared, p_expected_version);
END;
$$;

CREATE TABLE IF NOT EXISTS orleansquery (
    querykey  varchar(64) PRIMARY KEY,
    querytext text        NOT NULL
);

INSERT INTO orleansquery (querykey, querytext) VALUES
('WriteToStorageKey',
 'SELECT new_version AS "NewGrainStateVersion" FROM orleans_grain_state_write(@GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString, @GrainIdExtensionString, @ServiceId, @GrainStateVersion, @PayloadBinary)'),
('ReadFromStorageKey',
 'SELECT payload AS "PayloadBinary", NULL::text AS "PayloadXml", NULL::text AS "PayloadJson", modified_at AS "ModifiedOn", version AS "Version"
    FROM orleans_grain_state
   WHERE service_id = @ServiceId AND grain_type = @GrainTypeString
     AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1 AND grain_id_ext = coalesce(@GrainIdExtensionString, '''')'),
('ClearStorageKey',
 'SELECT new_version AS "NewGrainStateVersion" FROM orleans_grain_state_clear(@GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString, @GrainIdExtensionString, @ServiceId, @GrainStateVersion)')
ON CONFLICT (querykey) DO UPDATE SET querytext = EXCLUDED.querytext;
