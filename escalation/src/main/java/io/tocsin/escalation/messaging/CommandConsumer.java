package io.tocsin.escalation.messaging;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Incoming;

import io.smallrye.mutiny.Uni;
import io.tocsin.escalation.metrics.EscalationMetrics;
import io.tocsin.escalation.service.IncidentCommands;
import io.tocsin.events.IncidentCommand;

/** Reads {@code tocsin.commands.v1} (Slack buttons, through the notifier) and applies each command once. */
@ApplicationScoped
public class CommandConsumer {

    private final IncidentCommands commands;
    private final EscalationMetrics metrics;

    public CommandConsumer(IncidentCommands commands, EscalationMetrics metrics) {
        this.commands = commands;
        this.metrics = metrics;
    }

    @Incoming("commands")
    public Uni<Void> consume(IncidentCommand command) {
        if (command == null) {
            metrics.deadLettered("commands");
            return Uni.createFrom().failure(new IllegalArgumentException("the record is not an IncidentCommand"));
        }
        return ConsumerFailures.apply(() -> commands.apply(command), "command " + command.commandId(),
                () -> metrics.deadLettered("commands"));
    }
}
