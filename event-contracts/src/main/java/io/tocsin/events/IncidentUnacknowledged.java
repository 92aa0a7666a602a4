package io.tocsin.events;

import java.time.Instant;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * The incident is open again and escalates from its first level: someone gave it back, or a snooze ended.
 *
 * @param reason why, such as "snooze ended"
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record IncidentUnacknowledged(UUID eventId, UUID incidentId, Instant occurredAt, String actor, String reason)
        implements
            IncidentEvent {
}
