-- Claims go by the incident's priority, then by age: a P0 page is not queued behind a storm of P3 follow-ups.
-- 0 is P0 .. 3 is P3 (an unknown priority counts as the lowest); rows planned before this default to the lowest.
ALTER TABLE delivery ADD COLUMN priority smallint NOT NULL DEFAULT 3;

DROP INDEX delivery_due;
CREATE INDEX delivery_due ON delivery (priority, next_attempt_at, id) WHERE status = 'pending';
