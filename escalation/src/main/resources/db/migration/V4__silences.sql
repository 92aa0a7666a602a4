-- Silences (maintenance windows): while one matches an incident, its notifications are withheld, not lost.
CREATE TABLE silence (
    id          uuid PRIMARY KEY,
    matchers    jsonb       NOT NULL,
    starts_at   timestamptz NOT NULL,
    ends_at     timestamptz NOT NULL,
    created_by  text        NOT NULL,
    created_at  timestamptz NOT NULL,
    comment     text        NOT NULL DEFAULT ''
);
CREATE INDEX silence_by_end ON silence (ends_at);
