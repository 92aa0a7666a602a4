-- The notifier's own tables, in schema "notifier": what it knows of each incident, who was notified about it, and a
-- delivery log that makes each (event, target, action) go out at most once.

-- The incident as the notifier renders it, built from tocsin.incidents.v1.
CREATE TABLE incident_view (
    incident_id         uuid PRIMARY KEY,
    title               text        NOT NULL,
    service             text,
    priority            text        NOT NULL,
    state               text        NOT NULL,
    group_labels        jsonb       NOT NULL,
    labels              jsonb       NOT NULL,
    annotations         jsonb       NOT NULL,
    generator_url       text,
    alerts              integer     NOT NULL DEFAULT 0,
    firing              integer     NOT NULL DEFAULT 0,
    acknowledged_by     text,
    resolved_by         text,
    snoozed_until       timestamptz,
    escalation_level    integer,
    opened_at           timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL,
    -- Bumped by every event; a Slack root message older than this is updated in place.
    version             bigint      NOT NULL DEFAULT 0
);

-- A destination notified about an incident: it hears about the incident's later life too.
CREATE TABLE subscription (
    id                  bigserial PRIMARY KEY,
    incident_id         uuid        NOT NULL REFERENCES incident_view (incident_id),
    channel             text        NOT NULL,
    address             text        NOT NULL,
    created_at          timestamptz NOT NULL,
    -- Slack: the root message, once posted, and the incident version it shows.
    root_channel_id     text,
    root_ts             text,
    rendered_version    bigint      NOT NULL DEFAULT 0,
    UNIQUE (incident_id, channel, address)
);
CREATE INDEX subscription_stale_root ON subscription (incident_id) WHERE root_ts IS NOT NULL;

-- One row per (event, target, action): the idempotency key makes a redelivered event plan nothing new.
CREATE TABLE delivery (
    id                  bigserial PRIMARY KEY,
    idempotency_key     text        NOT NULL UNIQUE,
    incident_id         uuid        NOT NULL REFERENCES incident_view (incident_id),
    event_id            uuid        NOT NULL,
    channel             text        NOT NULL,
    address             text        NOT NULL,
    action              text        NOT NULL,
    event               text        NOT NULL,
    status              text        NOT NULL CHECK (status IN ('pending', 'sending', 'delivered', 'failed', 'not-sent', 'unknown')),
    attempts            integer     NOT NULL DEFAULT 0,
    next_attempt_at     timestamptz NOT NULL,
    attempt_started_at  timestamptz,
    last_error          text,
    created_at          timestamptz NOT NULL,
    finished_at         timestamptz
);
CREATE INDEX delivery_due ON delivery (next_attempt_at, id) WHERE status = 'pending';
CREATE INDEX delivery_in_flight ON delivery (attempt_started_at) WHERE status = 'sending';
CREATE INDEX delivery_by_incident ON delivery (incident_id, id);

CREATE TABLE outbox (
    id                  bigserial PRIMARY KEY,
    event_id            uuid        NOT NULL UNIQUE,
    topic               text        NOT NULL,
    message_key         text        NOT NULL,
    payload             text        NOT NULL,
    created_at          timestamptz NOT NULL,
    published_at        timestamptz
);
CREATE INDEX outbox_unpublished ON outbox (id) WHERE published_at IS NULL;

CREATE TABLE processed_message (
    message_id          text PRIMARY KEY,
    processed_at        timestamptz NOT NULL
);
