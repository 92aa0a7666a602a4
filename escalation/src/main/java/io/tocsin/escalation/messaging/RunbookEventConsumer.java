package io.tocsin.escalation.messaging;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import io.smallrye.mutiny.Uni;
import io.tocsin.escalation.metrics.EscalationMetrics;
import io.tocsin.escalation.service.RunbookRecords;
import io.tocsin.events.RunbookEvent;
import io.tocsin.outbox.Failures;

/** Reads {@code tocsin.runbooks.v1}: each runbook step goes on its incident's timeline and on to the notifier, once. */
@ApplicationScoped
public class RunbookEventConsumer {

    private static final Logger LOG = Logger.getLogger(RunbookEventConsumer.class);

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
        return records.record(event)
                .onFailure(failure -> !Failures.isPoison(failure))
                .invoke(failure -> LOG.warnf("recording runbook event %s failed, retrying: %s", event.eventId(),
                        failure))
                .onFailure(failure -> !Failures.isPoison(failure))
                .retry().withBackOff(Failures.FIRST_BACKOFF, Failures.MAX_BACKOFF).indefinitely()
                .onFailure().invoke(() -> metrics.deadLettered("runbooks"));
    }
}
