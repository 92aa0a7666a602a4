package io.tocsin.events;

import java.time.Instant;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/** Someone wrote a note on the incident's timeline. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record NoteAdded(UUID eventId, UUID incidentId, Instant occurredAt, String actor, String text)
        implements
            IncidentEvent {
}
