-- Quarantine of webhook requests refused with 401 (README "Quarantine"), and the record of
-- suppression changes made by hand through the admin API.

-- One refused request, kept so it can be checked again after a secret is fixed or rotated.
-- headers has credential-carrying headers (Authorization, Proxy-Authorization, Cookie) redacted
-- before it is written; body is the raw bytes exactly as received (what signatures cover).
CREATE TABLE quarantine (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source         text        NOT NULL,
    provider       text        NOT NULL,
    reason         text        NOT NULL,
    received_at    timestamptz NOT NULL,
    quarantined_at timestamptz NOT NULL DEFAULT now(),
    remote_address text,
    content_type   text,
    headers        jsonb       NOT NULL,
    query_params   jsonb       NOT NULL DEFAULT '[]',
    body           bytea       NOT NULL
);
CREATE INDEX quarantine_source_id_idx ON quarantine (source, id);
CREATE INDEX quarantine_received_at_idx ON quarantine (received_at);

-- Stores one refused request and, in the same transaction, removes what falls outside the
-- bounds of its source: rows older than p_retention, then the oldest beyond p_cap. Writers of
-- one source are serialized by a transaction-scoped advisory lock, so concurrent writes can
-- never leave more than p_cap rows behind (without it each would trim against a snapshot that
-- misses the others' rows).
CREATE FUNCTION quarantine_put(p_source text, p_provider text, p_reason text, p_received_at timestamptz,
                               p_remote_address text, p_content_type text, p_headers jsonb,
                               p_query_params jsonb, p_body bytea, p_cap integer, p_retention interval)
RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    new_id bigint;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('quarantine:' || p_source));
    INSERT INTO quarantine (source, provider, reason, received_at, remote_address, content_type, headers,
                            query_params, body)
    VALUES (p_source, p_provider, p_reason, p_received_at, p_remote_address, p_content_type, p_headers,
            p_query_params, p_body)
    RETURNING id INTO new_id;
    DELETE FROM quarantine WHERE source = p_source AND received_at < now() - p_retention;
    DELETE FROM quarantine
     WHERE source = p_source
       AND id < (SELECT id FROM quarantine WHERE source = p_source ORDER BY id DESC OFFSET p_cap - 1 LIMIT 1);
    RETURN new_id;
END
$$;

-- Every change an operator made to the suppression list through the admin API: who cannot
-- edit SQL still leaves a trace of why an address was added or lifted.
CREATE TABLE suppression_changes (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    address    text        NOT NULL,
    scope      text        NOT NULL,
    reason     text        NOT NULL,
    action     text        NOT NULL,
    note       text,
    changed_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT suppression_changes_action_check CHECK (action IN ('added', 'lifted'))
);
CREATE INDEX suppression_changes_address_idx ON suppression_changes (address, changed_at);

-- Keyset pagination of GET /suppressions walks the primary key; filters by reason and source
-- are applied on the way.
CREATE INDEX suppressions_source_idx ON suppressions (source, address);
CREATE INDEX handler_dead_events_parked_at_idx ON handler_dead_events (parked_at, event_id);
CREATE INDEX deliveries_dead_idx ON deliveries (dead_at, id) WHERE state = 'dead';
