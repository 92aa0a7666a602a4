package io.tocsin.events;

import java.time.Instant;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/** A recently resolved incident fired again within the flap window and was reopened instead of a new one. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record IncidentReopened(UUID eventId, UUID incidentId, Instant occurredAt, String reason)
        implements
            IncidentEvent {
}
