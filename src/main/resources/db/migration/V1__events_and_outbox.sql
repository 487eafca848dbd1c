-- The normalized events (DESIGN.md "Normalized event"): one row per ESP event, unique per
-- (source, event_key) so a redelivered event is stored once.
CREATE TABLE events (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source        text        NOT NULL,
    provider      text        NOT NULL,
    event_key     text        NOT NULL,
    type          text        NOT NULL,
    bounce_type   text,
    reject_reason text,
    occurred_at   timestamptz NOT NULL,
    received_at   timestamptz NOT NULL DEFAULT now(),
    message_id    text,
    recipient     text,
    sender        text,
    subject       text,
    tags          text[]      NOT NULL DEFAULT '{}',
    metadata      jsonb       NOT NULL DEFAULT '{}',
    click_url     text,
    user_agent    text,
    ip            text,
    mta_response  text,
    description   text,
    esp_event     jsonb       NOT NULL,
    CONSTRAINT events_source_event_key_key UNIQUE (source, event_key),
    CONSTRAINT events_type_check CHECK (type IN ('queued', 'sent', 'rejected', 'failed', 'bounced',
        'deferred', 'delivered', 'autoresponded', 'opened', 'clicked', 'complained',
        'unsubscribed', 'subscribed', 'unknown')),
    CONSTRAINT events_bounce_type_check CHECK (bounce_type IN ('hard', 'soft')),
    CONSTRAINT events_reject_reason_check CHECK (reject_reason IN ('invalid', 'bounced',
        'timed_out', 'blocked', 'spam', 'unsubscribed', 'other'))
);

CREATE INDEX events_recipient_idx ON events (recipient, occurred_at);
CREATE INDEX events_message_id_idx ON events (message_id);
CREATE INDEX events_occurred_at_idx ON events (occurred_at);

-- Work for the handlers, written in the same transaction as the events it names: one row per
-- committed batch (not per event), so the outbox costs one insert per group commit.
CREATE TABLE outbox (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_ids  bigint[]    NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
