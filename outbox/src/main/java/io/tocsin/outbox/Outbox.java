package io.tocsin.outbox;

import java.time.Instant;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.hibernate.reactive.mutiny.Mutiny;

import io.smallrye.mutiny.Uni;

/**
 * Writes events into the caller's transaction, to be published by {@link OutboxRelay} once it commits; and remembers
 * consumed messages, so a redelivered one is recognised.
 */
@ApplicationScoped
public class Outbox {

    /** Adds an event to publish on {@code topic} under {@code key} when the caller's transaction commits. */
    public Uni<Void> add(Mutiny.Session session, String topic, String key, UUID eventId, String payload,
            Instant createdAt) {
        OutboxRecord row = new OutboxRecord();
        row.eventId = eventId;
        row.topic = topic;
        row.messageKey = key;
        row.payload = payload;
        row.createdAt = createdAt;
        return session.persist(row);
    }

    /**
     * Records {@code messageId} as processed in the caller's transaction; emits false, and records nothing, when it
     * already was, so the caller can skip a redelivery.
     */
    public Uni<Boolean> firstTime(Mutiny.Session session, String messageId, Instant now) {
        return session.find(ProcessedMessageRecord.class, messageId).chain(seen -> {
            if (seen != null) {
                return Uni.createFrom().item(false);
            }
            ProcessedMessageRecord row = new ProcessedMessageRecord();
            row.messageId = messageId;
            row.processedAt = now;
            return session.persist(row).replaceWith(true);
        });
    }
}
