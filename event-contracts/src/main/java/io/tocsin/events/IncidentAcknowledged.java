package io.tocsin.events;

import java.time.Instant;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/** Someone took the incident: escalation stops until it is unacknowledged. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record IncidentAcknowledged(UUID eventId, UUID incidentId, Instant occurredAt, String actor)
        implements
            IncidentEvent {
}
