package io.tocsin.escalation.service;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.hibernate.reactive.mutiny.Mutiny;
import org.jboss.logging.Logger;

import io.smallrye.mutiny.Uni;
import io.tocsin.escalation.messaging.OutboxRelay;
import io.tocsin.escalation.metrics.EscalationMetrics;
import io.tocsin.escalation.persistence.EventLog;
import io.tocsin.escalation.persistence.IncidentRecord;
import io.tocsin.escalation.persistence.ProcessedMessageRecord;
import io.tocsin.events.IncidentCommand;
import io.tocsin.events.IncidentResolved;

/**
 * What people do to incidents. Each command is one transaction with the events it causes, is attributed to its actor,
 * and is idempotent: repeating it changes nothing more.
 */
@ApplicationScoped
public class IncidentCommands {

    private static final Logger LOG = Logger.getLogger(IncidentCommands.class);

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
    private final EscalationMetrics metrics;

    public IncidentCommands(Mutiny.SessionFactory sessions, Escalations escalations, EventLog events,
            OutboxRelay relay, Clock clock, EscalationMetrics metrics) {
        this.metrics = metrics;
        this.sessions = sessions;
        this.escalations = escalations;
        this.events = events;
        this.relay = relay;
        this.clock = clock;
    }

    /** Stops escalation; emits the incident, or {@code null} when there is none with that id. */
    public Uni<IncidentRecord> acknowledge(UUID id, String actor) {
        return sessions.withTransaction((session, tx) -> acknowledge(session, id, actor)).invoke(relay::kick);
    }

    /** Resolves the incident by hand; emits it, or {@code null} when there is none with that id. */
    public Uni<IncidentRecord> resolve(UUID id, String actor, String reason) {
        return sessions.withTransaction((session, tx) -> resolve(session, id, actor, reason)).invoke(relay::kick);
    }

    /**
     * Applies a command from the commands topic, once per command id: a redelivered command changes nothing. A command
     * for an unknown incident, or one its state does not allow, is recorded as processed and logged.
     *
     * @throws IllegalArgumentException (in the Uni) for an action this version does not know
     */
    public Uni<Void> apply(IncidentCommand command) {
        if (command.action() == IncidentCommand.Action.UNKNOWN) {
            return Uni.createFrom().failure(new IllegalArgumentException("unknown action in command "
                    + command.commandId()));
        }
        String messageId = "command:" + command.commandId();
        return sessions.withTransaction((session, tx) -> session.find(ProcessedMessageRecord.class, messageId)
                .chain(done -> {
                    if (done != null) {
                        return Uni.createFrom().voidItem();
                    }
                    ProcessedMessageRecord mark = new ProcessedMessageRecord();
                    mark.messageId = messageId;
                    mark.processedAt = clock.instant();
                    Uni<IncidentRecord> applied = switch (command.action()) {
                        case ACKNOWLEDGE -> acknowledge(session, command.incidentId(), command.actor());
                        case RESOLVE -> resolve(session, command.incidentId(), command.actor(), command.reason());
                        case UNKNOWN -> throw new IllegalStateException("checked above");
                    };
                    return session.persist(mark).chain(() -> applied)
                            .onFailure(IllegalTransition.class).recoverWithItem(failure -> {
                                LOG.infof("command %s not applied: %s", command.commandId(), failure.getMessage());
                                return null;
                            })
                            .invoke(incident -> {
                                if (incident == null) {
                                    LOG.infof("command %s names no known incident (%s)", command.commandId(),
                                            command.incidentId());
                                }
                            })
                            .replaceWithVoid();
                })).invoke(relay::kick);
    }

    private Uni<IncidentRecord> acknowledge(Mutiny.Session session, UUID id, String actor) {
        return session.find(IncidentRecord.class, id).chain(incident -> {
            if (incident == null) {
                return Uni.createFrom().nullItem();
            }
            if ("resolved".equals(incident.state)) {
                return Uni.createFrom().failure(new IllegalTransition("the incident is resolved; it cannot be "
                        + "acknowledged"));
            }
            return escalations.acknowledge(session, incident, actor, clock.instant()).replaceWith(incident);
        });
    }

    private Uni<IncidentRecord> resolve(Mutiny.Session session, UUID id, String actor, String reason) {
        return session.find(IncidentRecord.class, id).chain(incident -> {
            if (incident == null || "resolved".equals(incident.state)) {
                return Uni.createFrom().item(incident);
            }
            Instant now = clock.instant();
            incident.state = "resolved";
            incident.resolvedAt = now;
            metrics.incidentResolved(incident.priority, Duration.between(incident.openedAt, now));
            String why = reason == null || reason.isBlank() ? "resolved by hand" : reason;
            IncidentResolved resolved = new IncidentResolved(UUID.randomUUID(), incident.id, now, actor, why);
            return events.record(session, resolved, actor, "resolved by " + actor + ": " + why)
                    .chain(() -> escalations.stop(session, incident.id, now))
                    .replaceWith(incident);
        });
    }
}
