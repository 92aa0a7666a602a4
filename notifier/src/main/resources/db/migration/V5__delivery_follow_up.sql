-- Of two due deliveries of one priority, a page (notification.requested) is claimed before a follow-up (a note, an
-- update, a resolve), then by age: a Slack channel paced at one message a second, busy with one incident's
-- hundreds of thread replies, still carries another incident's first message at once (issue 11).
ALTER TABLE delivery ADD COLUMN follow_up boolean NOT NULL DEFAULT false;
UPDATE delivery SET follow_up = true
    WHERE status = 'pending' AND event NOT LIKE '%"type":"notification.requested"%';

DROP INDEX delivery_due;
CREATE INDEX delivery_due ON delivery (priority, follow_up, next_attempt_at, id) WHERE status = 'pending';
