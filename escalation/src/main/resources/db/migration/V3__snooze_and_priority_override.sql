-- Snoozing (a timer that wakes the incident) and a priority set by hand that alerts no longer change.
ALTER TABLE incident
    ADD COLUMN priority_override text,
    ADD COLUMN snoozed_until     timestamptz;

ALTER TABLE escalation_timer DROP CONSTRAINT escalation_timer_kind_check;
ALTER TABLE escalation_timer ADD CONSTRAINT escalation_timer_kind_check CHECK (kind IN ('level', 'sla', 'wake'));
