package io.tocsin.runbook.messaging;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Incoming;

import io.smallrye.mutiny.Uni;
import io.tocsin.events.IncidentEvent;
import io.tocsin.outbox.Failures;
import io.tocsin.runbook.metrics.RunbookMetrics;
import io.tocsin.runbook.service.Triggers;

/**
 * Reads {@code tocsin.incidents.v1} and applies each event once. A passing failure (the database away) is retried
 * with backoff, holding the partition, so nothing is skipped; an event that can never apply goes to the dead-letter
 * topic.
 */
@ApplicationScoped
public class IncidentEventConsumer {

    private final Triggers triggers;
    private final RunbookMetrics metrics;

    public IncidentEventConsumer(Triggers triggers, RunbookMetrics metrics) {
        this.triggers = triggers;
        this.metrics = metrics;
    }

    @Incoming("incidents")
    public Uni<Void> consume(IncidentEvent event) {
        if (event == null) {
            metrics.deadLettered("incidents");
            return Uni.createFrom().failure(new IllegalArgumentException("the record is not an incident event"));
        }
        return Failures.applyOrDeadLetter(triggers.apply(event), IncidentEventConsumer::poison,
                "event " + event.eventId(), () -> metrics.deadLettered("incidents")).replaceWithVoid();
    }

    /**
     * A record that can never apply. Not a run started through the API at the same moment as this event's: the
     * one-running-run index refuses one of them, and applying the event again finds that run and starts none.
     */
    private static boolean poison(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (String.valueOf(cause.getMessage()).contains("run_one_running")) {
                return false;
            }
        }
        return Failures.isPoison(failure);
    }
}
