package io.tocsin.escalation.messaging;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Incoming;

import io.smallrye.mutiny.Uni;
import io.tocsin.escalation.metrics.EscalationMetrics;
import io.tocsin.escalation.service.RunbookRecords;
import io.tocsin.events.RunbookEvent;

/** Reads {@code tocsin.runbooks.v1}: each runbook step goes on its incident's timeline and on to the notifier, once. */
@ApplicationScoped
public class RunbookEventConsumer {

    private final RunbookRecords records;
    private final EscalationMetrics metrics;

    public RunbookEventConsumer(RunbookRecords records, EscalationMetrics metrics) {
        this.records = records;
        this.metrics = metrics;
    }

    @Incoming("runbooks")
    public Uni<Void> consume(RunbookEvent event) {
        if (event == null || event.eventId() == null || event.incidentId() == null || event.occurredAt() == null) {
            metrics.deadLettered("runbooks");
            return Uni.createFrom().failure(new IllegalArgumentException("the record is not a RunbookEvent"));
        }
        return ConsumerFailures.apply(() -> records.record(event), "runbook event " + event.eventId(),
                () -> metrics.deadLettered("runbooks"));
    }
}
