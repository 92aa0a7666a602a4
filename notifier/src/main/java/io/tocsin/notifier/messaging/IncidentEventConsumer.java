package io.tocsin.notifier.messaging;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.hibernate.exception.ConstraintViolationException;
import org.hibernate.exception.DataException;
import org.jboss.logging.Logger;

import io.smallrye.mutiny.Uni;
import io.tocsin.events.IncidentEvent;
import io.tocsin.notifier.metrics.NotifierMetrics;
import io.tocsin.notifier.service.EventIntake;

/**
 * Reads {@code tocsin.incidents.v1} and applies each event once. A passing failure (the database away) is retried
 * with backoff, holding the partition, so nothing is skipped; an event that can never apply goes to the dead-letter
 * topic.
 */
@ApplicationScoped
public class IncidentEventConsumer {

    private static final Logger LOG = Logger.getLogger(IncidentEventConsumer.class);

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
        return intake.apply(event)
                .onFailure(failure -> !isPoison(failure))
                .invoke(failure -> LOG.warnf("applying event %s failed, retrying: %s", event.eventId(), failure))
                .onFailure(failure -> !isPoison(failure))
                .retry().withBackOff(Duration.ofMillis(200), Duration.ofSeconds(15)).indefinitely()
                .onFailure().invoke(metrics::poisonEvent)
                .replaceWithVoid();
    }

    /** A failure that will happen again however often the event is retried. */
    static boolean isPoison(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof ConstraintViolationException || cause instanceof DataException
                    || cause instanceof IllegalArgumentException || cause instanceof NullPointerException
                    || cause instanceof ClassCastException) {
                return true;
            }
        }
        return false;
    }
}
