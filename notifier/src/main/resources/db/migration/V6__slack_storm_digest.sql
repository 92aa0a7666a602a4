-- Issue 12, storms: once more than a threshold of new incidents opened for one Slack channel within a window, further
-- P2/P3 incidents are folded into one digest message for the channel, updated in place, instead of a root message each.
CREATE TABLE slack_digest (
    id               bigserial PRIMARY KEY,
    address          text        NOT NULL,
    started_at       timestamptz NOT NULL,
    last_folded_at   timestamptz NOT NULL,
    -- Set once the window has passed without a new fold: the digest then says the storm is over.
    ended_at         timestamptz,
    -- The posted message, once posted; posting_since leases the first post to one instance.
    channel_id       text,
    ts               text,
    posting_since    timestamptz,
    -- Bumped by every fold and every change of a member incident; the message shows rendered_version.
    version          bigint      NOT NULL DEFAULT 1,
    rendered_version bigint      NOT NULL DEFAULT 0,
    -- When the message was last written: the least recently written due digest goes first, so no channel starves.
    rendered_at      timestamptz,
    last_error       text
);
-- One storm at a time per channel.
CREATE UNIQUE INDEX slack_digest_active ON slack_digest (address) WHERE ended_at IS NULL;
CREATE INDEX slack_digest_stale ON slack_digest (id) WHERE rendered_version < version OR ended_at IS NULL;

CREATE TABLE slack_digest_member (
    id          bigserial PRIMARY KEY,
    digest_id   bigint      NOT NULL REFERENCES slack_digest (id),
    incident_id uuid        NOT NULL REFERENCES incident_view (incident_id),
    folded_at   timestamptz NOT NULL,
    UNIQUE (digest_id, incident_id)
);

-- A Slack subscription folded into a digest: its incident has no root message of its own, and its follow-ups show in
-- the digest (its state counts) instead of as thread replies.
ALTER TABLE subscription ADD COLUMN digest_id bigint REFERENCES slack_digest (id);
-- The storm check counts a channel's recent subscriptions.
CREATE INDEX subscription_recent_by_address ON subscription (channel, address, created_at);

-- A root message folded into a digest is finished as 'digested'.
ALTER TABLE delivery DROP CONSTRAINT delivery_status_check;
ALTER TABLE delivery ADD CONSTRAINT delivery_status_check
    CHECK (status IN ('pending', 'sending', 'delivered', 'failed', 'not-sent', 'unknown', 'digested'));
