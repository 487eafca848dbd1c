-- Handlers on stored events (README "Handlers"). Every table here is written only inside a
-- handler transaction that also deletes the outbox rows it handled, so each effect happens once.

-- Retry state: an event whose handlers failed comes back as its own outbox row with the number
-- of attempts so far and the time of its next try; NULL = due now (every row the ingest path writes).
ALTER TABLE outbox
    ADD COLUMN attempts        integer NOT NULL DEFAULT 0,
    ADD COLUMN next_attempt_at timestamptz,
    ADD COLUMN last_error      text;

-- Events whose handlers failed handlers.max_attempts times: parked here, out of the way of the
-- events behind them, until replay_dead_events() puts them back into the outbox.
CREATE TABLE handler_dead_events (
    event_id   bigint PRIMARY KEY,
    attempts   integer     NOT NULL,
    last_error text,
    parked_at  timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION replay_dead_events(ids bigint[] DEFAULT NULL) RETURNS integer
LANGUAGE sql AS $$
    WITH moved AS (
        DELETE FROM handler_dead_events WHERE ids IS NULL OR event_id = ANY (ids) RETURNING event_id
    ), queued AS (
        INSERT INTO outbox (event_ids)
        SELECT array_agg(event_id ORDER BY event_id) FROM moved HAVING count(*) > 0
        RETURNING cardinality(event_ids) AS n
    )
    SELECT coalesce((SELECT n FROM queued), 0)
$$;

-- Suppression list: one row per (address, scope, reason), so lifting an unsubscribe never lifts
-- a hard bounce of the same address. scope is '*' (handlers.suppression.scope: global) or the
-- source id. A row is active once a suppressing event was seen after the last lift; a resubscribe
-- that arrives before the unsubscribe it cancels leaves a row with count 0 and only lifted_at set.
CREATE TABLE suppressions (
    address            text        NOT NULL,
    scope              text        NOT NULL,
    reason             text        NOT NULL,
    first_seen_at      timestamptz,
    last_seen_at       timestamptz,
    count              bigint      NOT NULL DEFAULT 0,
    source             text        NOT NULL,
    event_id           bigint,
    lifted_at          timestamptz,
    lifted_by_event_id bigint,
    active             boolean GENERATED ALWAYS AS
                           (last_seen_at IS NOT NULL AND (lifted_at IS NULL OR last_seen_at > lifted_at)) STORED,
    updated_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (address, scope, reason),
    CONSTRAINT suppressions_reason_check CHECK (reason IN ('hard_bounce', 'soft_bounce', 'complaint',
        'unsubscribe', 'invalid'))
);

-- The lookup senders make before each send: one primary-key prefix scan.
CREATE FUNCTION is_suppressed(p_address text, p_scope text DEFAULT NULL) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM suppressions
                    WHERE address = lower(p_address) AND active
                      AND (p_scope IS NULL OR scope IN (p_scope, '*')))
$$;

-- Soft bounces kept for the window check (handlers.suppression.soft_bounce_window); pruned
-- a while after they fall out of every window.
CREATE TABLE soft_bounces (
    address     text        NOT NULL,
    scope       text        NOT NULL,
    event_id    bigint      NOT NULL,
    occurred_at timestamptz NOT NULL,
    source      text        NOT NULL,
    PRIMARY KEY (address, scope, event_id)
);
CREATE INDEX soft_bounces_occurred_at_idx ON soft_bounces (occurred_at);

-- Message status precedence (README "Handlers"): a higher rank always wins; within one rank the
-- later event wins (then the higher event id), so the result is the same in any arrival order.
-- delivered and the failures share a rank: whichever happened last is the outcome.
CREATE FUNCTION message_status_rank(event_type text) RETURNS smallint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE event_type
        WHEN 'queued' THEN 10
        WHEN 'sent' THEN 20
        WHEN 'deferred' THEN 30
        WHEN 'delivered' THEN 40
        WHEN 'bounced' THEN 40
        WHEN 'rejected' THEN 40
        WHEN 'failed' THEN 40
        WHEN 'autoresponded' THEN 45
        WHEN 'opened' THEN 50
        WHEN 'clicked' THEN 60
        WHEN 'unsubscribed' THEN 70
        WHEN 'complained' THEN 80
    END::smallint
$$;

CREATE TABLE messages (
    message_id      text        NOT NULL,
    recipient       text        NOT NULL,
    source          text        NOT NULL,
    status          text        NOT NULL,
    status_rank     smallint    NOT NULL,
    status_at       timestamptz NOT NULL,
    status_event_id bigint      NOT NULL,
    first_event_at  timestamptz NOT NULL,
    last_event_at   timestamptz NOT NULL,
    event_count     integer     NOT NULL,
    sender          text,
    subject         text,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (message_id, recipient)
);
CREATE INDEX messages_recipient_idx ON messages (recipient, last_event_at);

-- The timeline of one message: its stored events in event time (served by events_message_id_idx).
CREATE VIEW message_timeline AS
SELECT message_id, recipient, occurred_at, type, bounce_type, reject_reason, source, id AS event_id,
       received_at, mta_response, description, click_url, user_agent, ip
  FROM events
 WHERE message_id IS NOT NULL;

CREATE TABLE engagement (
    recipient      text        PRIMARY KEY,
    opens          bigint      NOT NULL DEFAULT 0,
    clicks         bigint      NOT NULL DEFAULT 0,
    first_open_at  timestamptz,
    last_open_at   timestamptz,
    first_click_at timestamptz,
    last_click_at  timestamptz,
    updated_at     timestamptz NOT NULL DEFAULT now()
);

-- The domain of a sender address ("Name <a@b.example>" or "a@b.example"), lower case; '(none)'
-- when there is no sender, so the key is never NULL.
CREATE FUNCTION sender_domain(sender text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(lower(substring(sender FROM '@([^@<>[:space:]]+)>?[[:space:]]*$')), '(none)')
$$;

-- Hourly counts per sending domain and source, by event time (late events land in their hour).
CREATE TABLE deliverability (
    domain       text        NOT NULL,
    source       text        NOT NULL,
    bucket_start timestamptz NOT NULL,
    delivered    bigint      NOT NULL DEFAULT 0,
    bounced      bigint      NOT NULL DEFAULT 0,
    complained   bigint      NOT NULL DEFAULT 0,
    PRIMARY KEY (domain, source, bucket_start)
);
CREATE INDEX deliverability_bucket_idx ON deliverability (bucket_start);

-- Rolling rates: bounce rate = bounced / (delivered + bounced); complaint rate = complained /
-- delivered (mailbox providers want it under 0.3 %; bulk senders watch 0.1 %).
CREATE FUNCTION deliverability_rates(since interval DEFAULT interval '24 hours')
RETURNS TABLE (domain text, source text, delivered bigint, bounced bigint, complained bigint,
               bounce_rate double precision, complaint_rate double precision)
LANGUAGE sql STABLE AS $$
    SELECT d.domain, d.source, sum(d.delivered)::bigint, sum(d.bounced)::bigint, sum(d.complained)::bigint,
           sum(d.bounced)::double precision / nullif(sum(d.delivered) + sum(d.bounced), 0),
           sum(d.complained)::double precision / nullif(sum(d.delivered), 0)
      FROM deliverability d
     WHERE d.bucket_start >= date_trunc('hour', now() - since)
     GROUP BY d.domain, d.source
$$;

-- Forwarding work: one row per (destination, event) written by the handler transaction, deleted
-- once the destination answered 2xx. attempts also serves as the claim token: a result is only
-- recorded by the attempt that still owns the row.
CREATE TABLE deliveries (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    destination     text        NOT NULL,
    event_id        bigint      NOT NULL,
    state           text        NOT NULL DEFAULT 'pending',
    attempts        integer     NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_status     integer,
    last_error      text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    dead_at         timestamptz,
    CONSTRAINT deliveries_destination_event_key UNIQUE (destination, event_id),
    CONSTRAINT deliveries_state_check CHECK (state IN ('pending', 'dead'))
);
CREATE INDEX deliveries_due_idx ON deliveries (destination, next_attempt_at) WHERE state = 'pending';

-- Manual redelivery (the admin API will call these): dead deliveries back to pending with a
-- fresh attempt budget, or one event (again) to one destination, whatever its history.
CREATE FUNCTION redeliver_dead(p_destination text DEFAULT NULL) RETURNS integer
LANGUAGE sql AS $$
    WITH revived AS (
        UPDATE deliveries SET state = 'pending', attempts = 0, next_attempt_at = now(), dead_at = NULL
         WHERE state = 'dead' AND (p_destination IS NULL OR destination = p_destination)
        RETURNING 1
    )
    SELECT count(*)::integer FROM revived
$$;

CREATE FUNCTION redeliver_event(p_event_id bigint, p_destination text) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO deliveries (destination, event_id) VALUES (p_destination, p_event_id)
    ON CONFLICT (destination, event_id) DO UPDATE
       SET state = 'pending', attempts = 0, next_attempt_at = now(), dead_at = NULL
$$;
