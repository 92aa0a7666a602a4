package io.tocsin.escalation.messaging;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Incoming;

import io.smallrye.mutiny.Uni;
import io.tocsin.escalation.metrics.EscalationMetrics;
import io.tocsin.escalation.service.DeliveryRecords;
import io.tocsin.events.NotificationOutcome;

/** Reads {@code tocsin.notifications.v1}: what became of each notification goes on its incident's timeline, once. */
@ApplicationScoped
public class NotificationOutcomeConsumer {

    private final DeliveryRecords records;
    private final EscalationMetrics metrics;

    public NotificationOutcomeConsumer(DeliveryRecords records, EscalationMetrics metrics) {
        this.records = records;
        this.metrics = metrics;
    }

    @Incoming("notifications")
    public Uni<Void> consume(NotificationOutcome outcome) {
        if (outcome == null || outcome.eventId() == null || outcome.incidentId() == null) {
            metrics.deadLettered("notifications");
            return Uni.createFrom().failure(new IllegalArgumentException("the record is not a NotificationOutcome"));
        }
        return ConsumerFailures.apply(() -> records.record(outcome), "outcome " + outcome.eventId(),
                () -> metrics.deadLettered("notifications"));
    }
}
