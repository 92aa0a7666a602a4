-- A row Kafka refuses (too large, an invalid topic) is tried again later and parked after a bounded number of
-- refusals, so it never holds back other incidents' events; the rows of its key wait behind it (ADR 14).
ALTER TABLE outbox
    ADD COLUMN attempts        integer     NOT NULL DEFAULT 0,
    ADD COLUMN next_attempt_at timestamptz,
    ADD COLUMN parked_at       timestamptz,
    ADD COLUMN last_error      text;

-- The relay's claim looks up, per candidate, an older waiting row of the same key.
CREATE INDEX outbox_pending_by_key ON outbox (message_key, id) WHERE published_at IS NULL AND parked_at IS NULL;
-- Parked rows, for the gauge and for whoever releases them.
CREATE INDEX outbox_parked ON outbox (id) WHERE parked_at IS NOT NULL;
