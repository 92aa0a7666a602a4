package io.tocsin.escalation.service;

import java.time.Clock;
import java.time.Instant;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.hibernate.reactive.mutiny.Mutiny;

import io.smallrye.mutiny.Uni;
import io.tocsin.escalation.messaging.OutboxRelay;
import io.tocsin.escalation.persistence.EventLog;
import io.tocsin.escalation.persistence.IncidentRecord;
import io.tocsin.events.IncidentResolved;

/**
 * What people do to incidents. Each command is one transaction with the events it causes, is attributed to its actor,
 * and is idempotent: repeating it changes nothing more.
 */
@ApplicationScoped
public class IncidentCommands {

    /** A command the incident's state does not allow. */
    public static class IllegalTransition extends RuntimeException {
        public IllegalTransition(String message) {
            super(message, null, false, false);
        }
    }

    private final Mutiny.SessionFactory sessions;
    private final Escalations escalations;
    private final EventLog events;
    private final OutboxRelay relay;
    private final Clock clock;

    public IncidentCommands(Mutiny.SessionFactory sessions, Escalations escalations, EventLog events,
            OutboxRelay relay, Clock clock) {
        this.sessions = sessions;
        this.escalations = escalations;
        this.events = events;
        this.relay = relay;
        this.clock = clock;
    }

    /** Stops escalation; emits the incident, or {@code null} when there is none with that id. */
    public Uni<IncidentRecord> acknowledge(UUID id, String actor) {
        return sessions.withTransaction((session, tx) -> session.find(IncidentRecord.class, id).chain(incident -> {
            if (incident == null) {
                return Uni.createFrom().nullItem();
            }
            if ("resolved".equals(incident.state)) {
                return Uni.createFrom().failure(new IllegalTransition("the incident is resolved; it cannot be "
                        + "acknowledged"));
            }
            return escalations.acknowledge(session, incident, actor, clock.instant()).replaceWith(incident);
        })).invoke(relay::kick);
    }

    /** Resolves the incident by hand; emits it, or {@code null} when there is none with that id. */
    public Uni<IncidentRecord> resolve(UUID id, String actor, String reason) {
        return sessions.withTransaction((session, tx) -> session.find(IncidentRecord.class, id).chain(incident -> {
            if (incident == null || "resolved".equals(incident.state)) {
                return Uni.createFrom().item(incident);
            }
            Instant now = clock.instant();
            incident.state = "resolved";
            incident.resolvedAt = now;
            String why = reason == null || reason.isBlank() ? "resolved by hand" : reason;
            IncidentResolved resolved = new IncidentResolved(UUID.randomUUID(), incident.id, now, actor, why);
            return events.record(session, resolved, actor, "resolved by " + actor + ": " + why)
                    .chain(() -> escalations.stop(session, incident.id, now))
                    .replaceWith(incident);
        })).invoke(relay::kick);
    }
}
