package io.tocsin.events;

import java.time.Instant;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * The incident was not acknowledged within its priority's response SLA.
 *
 * @param slaSeconds the SLA that was breached, in seconds
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record SlaBreached(UUID eventId, UUID incidentId, Instant occurredAt, Priority priority, long slaSeconds)
        implements
            IncidentEvent {
}
