-- A timer whose firing fails is retried on its own (retry_at, with backoff) a bounded number of times, then marked
-- failed; the other incidents' timers fire meanwhile in transactions of their own (ADR 15).
ALTER TABLE escalation_timer
    ADD COLUMN attempts    integer NOT NULL DEFAULT 0,
    ADD COLUMN retry_at    timestamptz,
    ADD COLUMN last_error  text,
    ADD COLUMN failed_at   timestamptz;

DROP INDEX escalation_timer_due;
CREATE INDEX escalation_timer_due ON escalation_timer ((coalesce(retry_at, due_at)))
    WHERE fired_at IS NULL AND cancelled_at IS NULL AND failed_at IS NULL;
