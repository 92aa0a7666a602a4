-- The runbook engine's tables, in schema "runbook": what it knows of each incident, every run and step with its
-- state, and the outbox and processed-message log every stateful service has.

-- The incident as runbooks see it, built from tocsin.incidents.v1: labels and annotations fill templates.
CREATE TABLE incident_view (
    incident_id         uuid PRIMARY KEY,
    title               text        NOT NULL,
    service             text,
    priority            text        NOT NULL,
    state               text        NOT NULL,
    labels              jsonb       NOT NULL,
    annotations         jsonb       NOT NULL,
    -- Opened, and its first alert (whose labels decide which runbooks apply) not seen yet.
    opening             boolean     NOT NULL DEFAULT false,
    opened_at           timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL
);

-- One run of one runbook for one incident. A running run is due at next_at: its current step starts, its wait or
-- approval ends, or its call is found cut off by a crash.
CREATE TABLE run (
    id                  uuid PRIMARY KEY,
    incident_id         uuid        NOT NULL REFERENCES incident_view (incident_id),
    runbook             text        NOT NULL,
    definition_hash     text        NOT NULL,
    trigger             text        NOT NULL,
    started_by          text        NOT NULL,
    dry_run             boolean     NOT NULL,
    cancel_on_resolve   boolean     NOT NULL,
    state               text        NOT NULL CHECK (state IN ('running', 'succeeded', 'failed', 'cancelled')),
    step_index          integer     NOT NULL,
    step_state          text        NOT NULL CHECK (step_state IN ('due', 'in-flight', 'waiting', 'awaiting-approval', 'done')),
    attempt             integer     NOT NULL DEFAULT 0,
    next_at             timestamptz NOT NULL,
    deadline            timestamptz NOT NULL,
    started_at          timestamptz NOT NULL,
    finished_at         timestamptz,
    result              text
);
-- At most one run of a runbook at a time per incident.
CREATE UNIQUE INDEX run_one_running ON run (incident_id, runbook) WHERE state = 'running';
CREATE INDEX run_due ON run (next_at) WHERE state = 'running';
CREATE INDEX run_by_incident ON run (incident_id, started_at);

-- One row per step a run reached: its inputs (secrets redacted), output, outcome and timing.
CREATE TABLE run_step (
    id                  bigserial PRIMARY KEY,
    run_id              uuid        NOT NULL REFERENCES run (id),
    step_index          integer     NOT NULL,
    name                text        NOT NULL,
    kind                text        NOT NULL,
    state               text        NOT NULL CHECK (state IN ('running', 'succeeded', 'failed', 'approved', 'denied', 'timed-out')),
    attempts            integer     NOT NULL DEFAULT 0,
    input               text,
    output              text,
    actor               text,
    started_at          timestamptz NOT NULL,
    finished_at         timestamptz,
    UNIQUE (run_id, step_index)
);

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
