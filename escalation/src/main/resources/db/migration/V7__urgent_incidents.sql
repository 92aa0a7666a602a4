-- The outbox relay publishes the rows of unresolved P0/P1 incidents first (ADR 17): it asks for them every round.
CREATE INDEX incident_urgent_unresolved ON incident (id) WHERE state <> 'resolved' AND priority IN ('P0', 'P1');
