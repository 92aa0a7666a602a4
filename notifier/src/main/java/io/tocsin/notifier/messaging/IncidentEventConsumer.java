package io.tocsin.notifier.messaging;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Incoming;

import io.smallrye.mutiny.Uni;
import io.tocsin.events.IncidentEvent;
import io.tocsin.notifier.metrics.NotifierMetrics;
import io.tocsin.notifier.service.EventIntake;
import io.tocsin.outbox.Failures;

/**
 * Reads {@code tocsin.incidents.v1} and applies each event once. A passing failure (the database away) is retried
 * with backoff, holding the partition, so nothing is skipped; an event that can never apply goes to the dead-letter
 * topic.
 */
@ApplicationScoped
public class IncidentEventConsumer {

    private final EventIntake intake;
    private final NotifierMetrics metrics;

    public IncidentEventConsumer(EventIntake intake, NotifierMetrics metrics) {
        this.intake = intake;
        this.metrics = metrics;
    }

    @Incoming("incidents")
    public Uni<Void> consume(IncidentEvent event) {
        if (event == null) {
            metrics.poisonEvent();
            return Uni.createFrom().failure(new IllegalArgumentException("the record is not an incident event"));
        }
        return Failures.applyOrDeadLetter(intake.apply(event), "event " + event.eventId(), metrics::poisonEvent)
                .replaceWithVoid();
    }
}
