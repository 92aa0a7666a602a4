package io.tocsin.events;

import java.time.Instant;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * Nobody acknowledged in time, so the incident moved up its ladder (or round it again).
 *
 * @param reason why: the level's wait ran out, the response SLA was breached, or someone escalated by hand
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record IncidentEscalated(UUID eventId, UUID incidentId, Instant occurredAt, String policy, int level,
        int cycle, String actor, String reason) implements IncidentEvent {
}
