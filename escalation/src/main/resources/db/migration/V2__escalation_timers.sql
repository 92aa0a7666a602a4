-- Escalation state on the incident, and the durable timers that drive it.

ALTER TABLE incident
    ADD COLUMN policy            text        NOT NULL DEFAULT 'default',
    ADD COLUMN acknowledged_at   timestamptz,
    ADD COLUMN acknowledged_by   text,
    ADD COLUMN escalation_level  integer     NOT NULL DEFAULT -1,
    ADD COLUMN escalation_cycle  integer     NOT NULL DEFAULT 0,
    ADD COLUMN sla_breached_at   timestamptz;

-- A timer fires once: the instance that claims it (FOR UPDATE SKIP LOCKED) marks it fired in the same transaction
-- that writes what firing it caused. Timers of an acknowledged or resolved incident are cancelled.
CREATE TABLE escalation_timer (
    id            bigserial PRIMARY KEY,
    incident_id   uuid        NOT NULL REFERENCES incident (id),
    kind          text        NOT NULL CHECK (kind IN ('level', 'sla')),
    level         integer     NOT NULL,
    cycle         integer     NOT NULL,
    due_at        timestamptz NOT NULL,
    fired_at      timestamptz,
    cancelled_at  timestamptz
);
CREATE INDEX escalation_timer_due ON escalation_timer (due_at) WHERE fired_at IS NULL AND cancelled_at IS NULL;
CREATE INDEX escalation_timer_by_incident ON escalation_timer (incident_id) WHERE fired_at IS NULL AND cancelled_at IS NULL;
