package io.tocsin.events;

import java.time.Instant;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * An event in an incident's life, on {@link Topics#INCIDENTS}, keyed by the incident id. The {@code type} field names
 * the record; a type this reader does not know reads as {@link UnknownIncidentEvent}, so new types can be added.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type", defaultImpl = UnknownIncidentEvent.class)
@JsonSubTypes({
        @JsonSubTypes.Type(value = IncidentOpened.class, name = "incident.opened"),
        @JsonSubTypes.Type(value = AlertAttached.class, name = "alert.attached"),
        @JsonSubTypes.Type(value = AlertsAttached.class, name = "alerts.attached"),
        @JsonSubTypes.Type(value = AlertResolved.class, name = "alert.resolved"),
        @JsonSubTypes.Type(value = PriorityChanged.class, name = "priority.changed"),
        @JsonSubTypes.Type(value = IncidentResolved.class, name = "incident.resolved"),
        @JsonSubTypes.Type(value = IncidentReopened.class, name = "incident.reopened"),
        @JsonSubTypes.Type(value = NotificationRequested.class, name = "notification.requested"),
        @JsonSubTypes.Type(value = IncidentEscalated.class, name = "incident.escalated"),
        @JsonSubTypes.Type(value = SlaBreached.class, name = "sla.breached"),
        @JsonSubTypes.Type(value = IncidentAcknowledged.class, name = "incident.acknowledged"),
        @JsonSubTypes.Type(value = IncidentUnacknowledged.class, name = "incident.unacknowledged"),
        @JsonSubTypes.Type(value = IncidentSnoozed.class, name = "incident.snoozed"),
        @JsonSubTypes.Type(value = NoteAdded.class, name = "note.added"),
        @JsonSubTypes.Type(value = NotificationWithheld.class, name = "notification.withheld"),
        @JsonSubTypes.Type(value = RunbookProgressed.class, name = "runbook.progressed")
})
public sealed interface IncidentEvent permits IncidentOpened, AlertAttached, AlertsAttached, AlertResolved, PriorityChanged,
        IncidentResolved, IncidentReopened, NotificationRequested, IncidentEscalated, SlaBreached,
        IncidentAcknowledged, IncidentUnacknowledged, IncidentSnoozed, NoteAdded, NotificationWithheld,
        RunbookProgressed, UnknownIncidentEvent {

    /** Unique per event; consumers skip ids they have processed. */
    UUID eventId();

    /** The incident it is about; also the record key. */
    UUID incidentId();

    /** When it happened. */
    Instant occurredAt();
}
