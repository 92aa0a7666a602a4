package io.tocsin.escalation.messaging;

import java.time.Clock;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.hibernate.reactive.mutiny.Mutiny;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.tocsin.escalation.persistence.OutboxRecord;

/**
 * Publishes committed outbox rows to Kafka, oldest first, and marks them published in the same transaction that
 * locked them ({@code FOR UPDATE SKIP LOCKED}, so instances share the work without sending a row twice at once). A
 * crash between Kafka's acknowledgement and the commit sends the rows again: consumers skip event ids they have seen.
 */
@ApplicationScoped
public class OutboxRelay {

    private static final int BATCH = 500;

    private final Mutiny.SessionFactory sessions;
    private final MutinyEmitter<String> incidents;
    private final Clock clock;

    public OutboxRelay(Mutiny.SessionFactory sessions, @Channel("incidents") MutinyEmitter<String> incidents,
            Clock clock) {
        this.sessions = sessions;
        this.incidents = incidents;
        this.clock = clock;
    }

    @Scheduled(every = "${tocsin.escalation.outbox-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> tick() {
        return publishPending().replaceWithVoid();
    }

    /** Publishes one batch of pending rows; emits how many. */
    public Uni<Integer> publishPending() {
        return sessions.withTransaction((session, tx) -> session
                .createNativeQuery("SELECT * FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT " + BATCH
                        + " FOR UPDATE SKIP LOCKED", OutboxRecord.class)
                .getResultList()
                .chain(rows -> send(rows).invoke(() -> rows.forEach(row -> row.publishedAt = clock.instant()))
                        .replaceWith(rows.size())));
    }

    private Uni<Void> send(List<OutboxRecord> rows) {
        if (rows.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Uni<Void>> sends = rows.stream().map(row -> incidents.sendMessage(Message.of(row.payload)
                .addMetadata(OutgoingKafkaRecordMetadata.<String> builder().withKey(row.messageKey).build())))
                .toList();
        return Uni.join().all(sends).andFailFast().replaceWithVoid();
    }
}
