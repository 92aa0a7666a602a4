package io.tocsin.escalation.messaging;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Incoming;

import io.smallrye.mutiny.Uni;
import io.tocsin.escalation.metrics.EscalationMetrics;
import io.tocsin.escalation.service.AlertIntake;
import io.tocsin.events.AlertReceived;

/** Reads {@code tocsin.alerts.v1}; the offset is committed only after the alert's transaction committed. */
@ApplicationScoped
public class AlertConsumer {

    private final AlertIntake intake;
    private final EscalationMetrics metrics;

    public AlertConsumer(AlertIntake intake, EscalationMetrics metrics) {
        this.intake = intake;
        this.metrics = metrics;
    }

    /**
     * Applies the alert. A failure that retrying cannot mend (a payload that breaks a constraint, a bug) nacks the
     * record, which goes to the dead-letter topic while its partition flows on; anything else (the database or Kafka
     * unreachable, or a configuration that cannot be used) is retried with backoff until it succeeds, holding the
     * partition, so no alert is skipped.
     */
    @Incoming("alerts")
    public Uni<Void> consume(AlertReceived alert) {
        if (alert == null) {
            metrics.deadLettered("alerts");
            return Uni.createFrom().failure(new IllegalArgumentException("the record is not an AlertReceived"));
        }
        return ConsumerFailures.apply(() -> intake.apply(alert), "alert " + alert.eventId(),
                () -> metrics.deadLettered("alerts"));
    }
}
