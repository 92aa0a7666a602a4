package io.tocsin.events;

import java.time.Instant;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/** Escalation is paused until {@code until}; then the incident is unacknowledged and escalates again. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record IncidentSnoozed(UUID eventId, UUID incidentId, Instant occurredAt, String actor, Instant until)
        implements
            IncidentEvent {
}
