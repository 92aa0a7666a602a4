package io.tocsin.escalation.messaging;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Incoming;

import io.smallrye.mutiny.Uni;
import io.tocsin.escalation.service.AlertIntake;
import io.tocsin.events.AlertReceived;

/** Reads {@code tocsin.alerts.v1}; the offset is committed only after the alert's transaction committed. */
@ApplicationScoped
public class AlertConsumer {

    private final AlertIntake intake;

    public AlertConsumer(AlertIntake intake) {
        this.intake = intake;
    }

    @Incoming("alerts")
    public Uni<Void> consume(AlertReceived alert) {
        return intake.apply(alert);
    }
}
