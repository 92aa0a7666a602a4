package io.tocsin.escalation.messaging;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import io.smallrye.mutiny.Uni;
import io.tocsin.escalation.service.IncidentCommands;
import io.tocsin.events.IncidentCommand;

/** Reads {@code tocsin.commands.v1} (Slack buttons, through the notifier) and applies each command once. */
@ApplicationScoped
public class CommandConsumer {

    private static final Logger LOG = Logger.getLogger(CommandConsumer.class);

    private final IncidentCommands commands;

    public CommandConsumer(IncidentCommands commands) {
        this.commands = commands;
    }

    @Incoming("commands")
    public Uni<Void> consume(IncidentCommand command) {
        if (command == null) {
            return Uni.createFrom().failure(new IllegalArgumentException("the record is not an IncidentCommand"));
        }
        return commands.apply(command)
                .onFailure(failure -> !Failures.isPoison(failure))
                .invoke(failure -> LOG.warnf("applying command %s failed, retrying: %s", command.commandId(), failure))
                .onFailure(failure -> !Failures.isPoison(failure))
                .retry().withBackOff(Failures.FIRST_BACKOFF, Failures.MAX_BACKOFF).indefinitely();
    }
}
