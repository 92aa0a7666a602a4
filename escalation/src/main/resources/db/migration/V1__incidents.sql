-- Incidents, the alert occurrences attached to them, their timeline, and the outbox of events to publish.

CREATE TABLE incident (
    id                  uuid PRIMARY KEY,
    group_key           text        NOT NULL,
    group_labels        jsonb       NOT NULL,
    title               text        NOT NULL,
    service             text,
    state               text        NOT NULL CHECK (state IN ('open', 'acknowledged', 'resolved')),
    priority            text        NOT NULL,
    opened_at           timestamptz NOT NULL,
    last_alert_at       timestamptz NOT NULL,
    resolved_at         timestamptz,
    version             bigint      NOT NULL DEFAULT 0
);
-- At most one unresolved incident per group: two instances racing to open one collide here, and one retries.
CREATE UNIQUE INDEX incident_one_unresolved_per_group ON incident (group_key) WHERE state <> 'resolved';
CREATE INDEX incident_recently_resolved ON incident (group_key, resolved_at DESC) WHERE state = 'resolved';
CREATE INDEX incident_listing ON incident (opened_at DESC, id DESC);

CREATE TABLE alert (
    id                  bigserial PRIMARY KEY,
    incident_id         uuid        NOT NULL REFERENCES incident (id),
    fingerprint         text        NOT NULL,
    status              text        NOT NULL CHECK (status IN ('firing', 'resolved')),
    priority            text        NOT NULL,
    labels              jsonb       NOT NULL,
    annotations         jsonb       NOT NULL,
    generator_url       text,
    source              text        NOT NULL,
    starts_at           timestamptz NOT NULL,
    ends_at             timestamptz,
    first_seen_at       timestamptz NOT NULL,
    last_seen_at        timestamptz NOT NULL,
    deliveries          bigint      NOT NULL DEFAULT 1,
    UNIQUE (fingerprint, starts_at)
);
CREATE INDEX alert_latest_by_fingerprint ON alert (fingerprint, starts_at DESC);
CREATE INDEX alert_by_incident ON alert (incident_id);

CREATE TABLE timeline_entry (
    id                  bigserial PRIMARY KEY,
    incident_id         uuid        NOT NULL REFERENCES incident (id),
    event_id            uuid        NOT NULL UNIQUE,
    kind                text        NOT NULL,
    actor               text        NOT NULL,
    occurred_at         timestamptz NOT NULL,
    summary             text        NOT NULL
);
CREATE INDEX timeline_by_incident ON timeline_entry (incident_id, id);

-- Events written in the same transaction as the state they describe; the relay publishes and marks them.
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

-- Messages already applied, so a redelivered one changes nothing.
CREATE TABLE processed_message (
    message_id          text PRIMARY KEY,
    processed_at        timestamptz NOT NULL
);
