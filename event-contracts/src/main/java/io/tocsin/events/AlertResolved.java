package io.tocsin.events;

import java.time.Instant;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/** One of the incident's alerts stopped firing. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record AlertResolved(UUID eventId, UUID incidentId, Instant occurredAt, String fingerprint, Instant endsAt)
        implements
            IncidentEvent {
}
