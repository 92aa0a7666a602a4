package io.tocsin.events;

import java.time.Instant;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * The incident is resolved.
 *
 * @param actor {@code tocsin} for an auto-resolve when every alert resolved, else the user or token
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record IncidentResolved(UUID eventId, UUID incidentId, Instant occurredAt, String actor, String reason)
        implements
            IncidentEvent {
}
