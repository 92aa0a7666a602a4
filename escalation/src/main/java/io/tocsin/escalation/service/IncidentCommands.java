package io.tocsin.escalation.service;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.hibernate.reactive.mutiny.Mutiny;
import org.jboss.logging.Logger;

import io.smallrye.mutiny.Uni;
import io.tocsin.escalation.metrics.EscalationMetrics;
import io.tocsin.escalation.persistence.EventLog;
import io.tocsin.escalation.persistence.IncidentRecord;
import io.tocsin.events.IncidentCommand;
import io.tocsin.events.IncidentResolved;
import io.tocsin.events.NoteAdded;
import io.tocsin.events.Priority;
import io.tocsin.events.PriorityChanged;
import io.tocsin.outbox.Failures;
import io.tocsin.outbox.OutboxRelay;
import io.tocsin.outbox.ProcessedMessageRecord;

/**
 * What people do to incidents, from the API or the commands topic. Each command is one transaction with the events it
 * causes, is attributed to its actor, and is idempotent: repeating it changes nothing more (a note excepted, which is
 * deduplicated by command id when it comes from the topic).
 */
@ApplicationScoped
public class IncidentCommands {

    private static final Logger LOG = Logger.getLogger(IncidentCommands.class);
    /** Runs of a command again after a conflict with another writer of its incident. */
    static final int CONFLICT_RETRIES = 8;

    /** A command the incident's state does not allow. */
    public static class IllegalTransition extends RuntimeException {
        public IllegalTransition(String message) {
            super(message, null, false, false);
        }
    }

    /** What one command does inside the transaction, to an incident that exists. */
    @FunctionalInterface
    private interface Change {
        Uni<?> apply(Mutiny.Session session, IncidentRecord incident, Instant now);
    }

    private final Mutiny.SessionFactory sessions;
    private final Escalations escalations;
    private final EventLog events;
    private final OutboxRelay relay;
    private final Clock clock;
    private final EscalationMetrics metrics;

    public IncidentCommands(Mutiny.SessionFactory sessions, Escalations escalations, EventLog events,
            OutboxRelay relay, Clock clock, EscalationMetrics metrics) {
        this.sessions = sessions;
        this.escalations = escalations;
        this.events = events;
        this.relay = relay;
        this.clock = clock;
        this.metrics = metrics;
    }

    // Each emits the incident after the change, or null when no incident has the id; IllegalTransition when its state
    // does not allow the command.

    public Uni<IncidentRecord> acknowledge(UUID id, String actor) {
        return run(id, acknowledge(actor));
    }

    public Uni<IncidentRecord> unacknowledge(UUID id, String actor) {
        return run(id, unacknowledge(actor));
    }

    public Uni<IncidentRecord> resolve(UUID id, String actor, String reason) {
        return run(id, resolve(actor, reason));
    }

    public Uni<IncidentRecord> escalate(UUID id, String actor) {
        return run(id, escalate(actor));
    }

    public Uni<IncidentRecord> snooze(UUID id, String actor, Instant until) {
        return run(id, snooze(actor, until));
    }

    public Uni<IncidentRecord> changePriority(UUID id, String actor, Priority priority) {
        return run(id, changePriority(actor, priority));
    }

    public Uni<IncidentRecord> addNote(UUID id, String actor, String text) {
        return run(id, addNote(actor, text));
    }

    /**
     * Applies a command from the commands topic, once per command id: a redelivered command changes nothing. A command
     * for an unknown incident, or one its state does not allow, is recorded as processed and logged.
     *
     * @throws IllegalArgumentException (in the Uni) for an action this version does not know, or a missing argument
     */
    public Uni<Void> apply(IncidentCommand command) {
        Change change;
        try {
            change = change(command);
        } catch (IllegalArgumentException e) {
            return Uni.createFrom().failure(e);
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
                    return session.persist(mark)
                            .chain(() -> onIncident(session, command.incidentId(), change))
                            .onFailure(IllegalTransition.class).recoverWithItem(failure -> {
                                LOG.infof("command %s not applied: %s", command.commandId(), failure.getMessage());
                                return null;
                            })
                            .invoke(incident -> {
                                if (incident == null) {
                                    LOG.infof("command %s not applied to incident %s", command.commandId(),
                                            command.incidentId());
                                }
                            })
                            .replaceWithVoid();
                })).invoke(relay::kick);
    }

    private Change change(IncidentCommand command) {
        String actor = command.actor() == null || command.actor().isBlank() ? "unknown" : command.actor();
        return switch (command.action()) {
            case ACKNOWLEDGE -> acknowledge(actor);
            case UNACKNOWLEDGE -> unacknowledge(actor);
            case RESOLVE -> resolve(actor, command.reason());
            case ESCALATE -> escalate(actor);
            case SNOOZE -> snooze(actor, required(command.until(), "until", command));
            case CHANGE_PRIORITY -> {
                Priority priority = required(command.priority(), "priority", command);
                if (priority == Priority.UNKNOWN) {
                    throw new IllegalArgumentException("unknown priority in command " + command.commandId());
                }
                yield changePriority(actor, priority);
            }
            case ADD_NOTE -> addNote(actor, required(command.text(), "text", command));
            case UNKNOWN -> throw new IllegalArgumentException("unknown action in command " + command.commandId());
        };
    }

    private static <T> T required(T value, String field, IncidentCommand command) {
        if (value == null) {
            throw new IllegalArgumentException("command " + command.commandId() + " lacks " + field);
        }
        return value;
    }

    private Change acknowledge(String actor) {
        return (session, incident, now) -> {
            if ("resolved".equals(incident.state)) {
                throw new IllegalTransition("the incident is resolved; it cannot be acknowledged");
            }
            return escalations.acknowledge(session, incident, actor, now);
        };
    }

    private Change unacknowledge(String actor) {
        return (session, incident, now) -> {
            if ("resolved".equals(incident.state)) {
                throw new IllegalTransition("the incident is resolved; it cannot be unacknowledged");
            }
            return escalations.unacknowledge(session, incident, actor, "given back by " + actor, now);
        };
    }

    private Change resolve(String actor, String reason) {
        return (session, incident, now) -> {
            if ("resolved".equals(incident.state)) {
                return Uni.createFrom().voidItem();
            }
            incident.state = "resolved";
            incident.resolvedAt = now;
            metrics.incidentResolved(incident.priority, Duration.between(incident.openedAt, now));
            String why = reason == null || reason.isBlank() ? "resolved by hand" : reason;
            IncidentResolved resolved = new IncidentResolved(UUID.randomUUID(), incident.id, now, actor, why);
            return events.record(session, resolved, actor, "resolved by " + actor + ": " + why)
                    .chain(() -> escalations.stop(session, incident.id, now));
        };
    }

    private Change escalate(String actor) {
        return (session, incident, now) -> {
            if ("resolved".equals(incident.state)) {
                throw new IllegalTransition("the incident is resolved; it cannot be escalated");
            }
            return escalations.escalateNow(session, incident, actor, now);
        };
    }

    private Change snooze(String actor, Instant until) {
        return (session, incident, now) -> {
            if ("resolved".equals(incident.state)) {
                throw new IllegalTransition("the incident is resolved; it cannot be snoozed");
            }
            if (!until.isAfter(now)) {
                throw new IllegalTransition("the snooze would end in the past (" + until + ")");
            }
            return escalations.snooze(session, incident, actor, until, now);
        };
    }

    private Change changePriority(String actor, Priority priority) {
        return (session, incident, now) -> {
            Priority from = Priority.fromWire(incident.priority);
            incident.priorityOverride = priority.name();
            if (from == priority) {
                return Uni.createFrom().voidItem();
            }
            incident.priority = priority.name();
            PriorityChanged changed = new PriorityChanged(UUID.randomUUID(), incident.id, now, from, priority, actor,
                    "set by hand");
            return events.record(session, changed, actor, "priority " + from + " → " + priority + ", set by " + actor)
                    .chain(() -> escalations.priorityChanged(session, incident, incident.groupLabels, now));
        };
    }

    private Change addNote(String actor, String text) {
        return (session, incident, now) -> events.record(session,
                new NoteAdded(UUID.randomUUID(), incident.id, now, actor, text), actor, "note by " + actor + ": " + text);
    }

    /**
     * One command in a transaction of its own; a conflict with another writer of the incident (the timer round, an
     * alert, a second instance: a deadlock, a serialization failure, a moved version) is run again, read afresh, a few
     * times with jitter, so a person's click is not answered 5xx because a timer fired at that moment.
     */
    private Uni<IncidentRecord> run(UUID id, Change change) {
        return Uni.createFrom().deferred(() -> sessions.withTransaction((session, tx) -> onIncident(session, id, change)))
                .onFailure(Failures::isConflict).retry().withBackOff(Duration.ofMillis(10), Duration.ofMillis(200))
                .withJitter(0.5).atMost(CONFLICT_RETRIES)
                .invoke(relay::kick);
    }

    private Uni<IncidentRecord> onIncident(Mutiny.Session session, UUID id, Change change) {
        return session.find(IncidentRecord.class, id).chain(incident -> {
            if (incident == null) {
                return Uni.createFrom().nullItem();
            }
            return Uni.createFrom().deferred(() -> change.apply(session, incident, clock.instant()))
                    .replaceWith(incident);
        });
    }
}
