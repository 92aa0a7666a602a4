package io.tocsin.outbox;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.hibernate.reactive.mutiny.Mutiny;
import org.jboss.logging.Logger;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;

/**
 * Keeps the outbox and the processed-message log from growing forever: published outbox rows and processed-message
 * marks older than their retention are deleted every hour. A mark must outlive every redelivery of its message, so
 * its retention ({@code tocsin.outbox.processed-retention}, 14 days) is longer than Kafka's default topic retention.
 */
@ApplicationScoped
public class OutboxRetention {

    private static final Logger LOG = Logger.getLogger(OutboxRetention.class);

    private final Mutiny.SessionFactory sessions;
    private final Clock clock;
    private final Duration published;
    private final Duration processed;

    public OutboxRetention(Mutiny.SessionFactory sessions, Clock clock,
            @ConfigProperty(name = "tocsin.outbox.published-retention", defaultValue = "3d") Duration published,
            @ConfigProperty(name = "tocsin.outbox.processed-retention", defaultValue = "14d") Duration processed) {
        this.sessions = sessions;
        this.clock = clock;
        this.published = published;
        this.processed = processed;
    }

    @Scheduled(every = "1h", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP, skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> tick() {
        return purge().onFailure().invoke(failure -> LOG.warnf("purging old outbox rows failed: %s", failure.getMessage()))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    /** Deletes what is past its retention; emits how many rows. */
    public Uni<Integer> purge() {
        Instant now = clock.instant();
        return sessions.withTransaction((session, tx) -> session
                .createMutationQuery("delete from OutboxRecord where publishedAt < :cutoff")
                .setParameter("cutoff", now.minus(published)).executeUpdate()
                .chain(outbox -> session
                        .createMutationQuery("delete from ProcessedMessageRecord where processedAt < :cutoff")
                        .setParameter("cutoff", now.minus(processed)).executeUpdate()
                        .map(marks -> outbox + marks)))
                .invoke(deleted -> {
                    if (deleted > 0) {
                        LOG.infof("purged %d outbox rows and processed-message marks past their retention", deleted);
                    }
                });
    }
}
