package io.tocsin.runbook.messaging;

import java.time.Clock;
import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.hibernate.LockMode;
import org.hibernate.reactive.mutiny.Mutiny;
import org.jboss.logging.Logger;

import io.smallrye.mutiny.Uni;
import io.tocsin.events.RunbookCommand;
import io.tocsin.outbox.Failures;
import io.tocsin.outbox.Outbox;
import io.tocsin.outbox.OutboxRelay;
import io.tocsin.runbook.metrics.RunbookMetrics;
import io.tocsin.runbook.persistence.RunRecord;
import io.tocsin.runbook.service.RunRounds;
import io.tocsin.runbook.service.Runner;

/**
 * Reads {@code tocsin.runbook-commands.v1} (Approve and Deny presses in Slack) and applies each command once, in one
 * transaction with its processed-message mark. A decision about an approval that no longer waits changes nothing; an
 * unknown action is dead-lettered, never guessed.
 */
@ApplicationScoped
public class RunbookCommandConsumer {

    private static final Logger LOG = Logger.getLogger(RunbookCommandConsumer.class);

    private final Mutiny.SessionFactory sessions;
    private final Outbox outbox;
    private final OutboxRelay relay;
    private final Runner runner;
    private final RunRounds rounds;
    private final RunbookMetrics metrics;
    private final Clock clock;

    public RunbookCommandConsumer(Mutiny.SessionFactory sessions, Outbox outbox, OutboxRelay relay, Runner runner,
            RunRounds rounds,
            RunbookMetrics metrics, Clock clock) {
        this.sessions = sessions;
        this.outbox = outbox;
        this.relay = relay;
        this.runner = runner;
        this.rounds = rounds;
        this.metrics = metrics;
        this.clock = clock;
    }

    @Incoming("runbook-commands")
    public Uni<Void> consume(RunbookCommand command) {
        if (command == null || command.commandId() == null || command.runId() == null || command.actor() == null
                || command.action() == null || command.action() == RunbookCommand.Action.UNKNOWN) {
            metrics.deadLettered("runbook-commands");
            return Uni.createFrom().failure(new IllegalArgumentException("the record is not a runbook command"));
        }
        return Failures.applyOrDeadLetter(apply(command), "command " + command.commandId(),
                () -> metrics.deadLettered("runbook-commands"));
    }

    private Uni<Void> apply(RunbookCommand command) {
        return sessions.withTransaction((session, tx) -> {
            Instant now = clock.instant();
            return outbox.firstTime(session, "runbook-command:" + command.commandId(), now)
                    .chain(first -> !first ? Uni.createFrom().<String> nullItem() : switch (command.action()) {
                        case APPROVE, DENY -> runner.decide(session, command.runId(), command.stepIndex(),
                                command.action() == RunbookCommand.Action.APPROVE, command.actor(), command.reason(),
                                now);
                        default -> session.find(RunRecord.class, command.runId(), LockMode.PESSIMISTIC_WRITE)
                                .chain(run -> run == null
                                        ? Uni.createFrom().item("no run has the id " + command.runId())
                                        : runner.cancel(session, run, command.actor(), command.reason(), now));
                    });
        })
                .invoke(refusal -> {
                    if (refusal != null) {
                        LOG.infof("command %s (%s by %s) changed nothing: %s", command.commandId(),
                                command.action().wire(), command.actor(), refusal);
                    }
                    relay.kick();
                    rounds.kick();
                })
                .replaceWithVoid();
    }
}
