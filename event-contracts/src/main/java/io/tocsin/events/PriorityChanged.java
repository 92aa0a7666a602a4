package io.tocsin.events;

import java.time.Instant;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * The incident's priority rose or fell.
 *
 * @param actor who changed it: {@code tocsin} when its alerts did, else the user or token
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record PriorityChanged(UUID eventId, UUID incidentId, Instant occurredAt, Priority from, Priority to,
        String actor, String reason) implements IncidentEvent {
}
