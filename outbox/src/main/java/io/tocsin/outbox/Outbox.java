package io.tocsin.outbox;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.hibernate.reactive.mutiny.Mutiny;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Writes events into the caller's transaction, to be published by {@link OutboxRelay} once it commits; and remembers
 * consumed messages, so a redelivered one is recognised.
 */
@ApplicationScoped
public class Outbox {

    /** One event to publish, for {@link #addAll}. */
    public record Entry(String topic, String key, UUID eventId, String payload, Instant createdAt) {
    }

    // In the order given (the relay publishes by id): WITH ORDINALITY, then ORDER BY it.
    private static final String ADD_ALL = """
            INSERT INTO outbox (event_id, topic, message_key, payload, created_at)
            SELECT e, t, k, p, c FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::timestamptz[])
                WITH ORDINALITY AS r(e, t, k, p, c, n)
            ORDER BY n
            """;

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
     * already was, so the caller can skip a redelivery. One statement that does nothing on conflict: when two consumers
     * apply one message at the same moment (the urgent and the main lane, ADR 19), the second waits for the first to
     * commit and then finds it processed, instead of failing on the unique key.
     */
    public Uni<Boolean> firstTime(Mutiny.Session session, String messageId, Instant now) {
        return session.createMutationQuery("insert into ProcessedMessageRecord (messageId, processedAt) "
                + "values (:id, :at) on conflict do nothing")
                .setParameter("id", messageId).setParameter("at", now)
                .executeUpdate().map(inserted -> inserted == 1);
    }

    /**
     * Adds the events, in order, in the transaction of {@code connection}: one statement however many there are. For
     * work done on the SQL client rather than a Hibernate session (escalation's bulk application of alerts).
     */
    public Uni<Void> addAll(SqlConnection connection, List<Entry> entries) {
        if (entries.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        int size = entries.size();
        UUID[] ids = new UUID[size];
        String[] topics = new String[size];
        String[] keys = new String[size];
        String[] payloads = new String[size];
        OffsetDateTime[] created = new OffsetDateTime[size];
        for (int i = 0; i < size; i++) {
            Entry entry = entries.get(i);
            ids[i] = entry.eventId();
            topics[i] = entry.topic();
            keys[i] = entry.key();
            payloads[i] = entry.payload();
            created[i] = entry.createdAt().atOffset(ZoneOffset.UTC);
        }
        return connection.preparedQuery(ADD_ALL).execute(Tuple.from(List.<Object> of(ids, topics, keys, payloads, created)))
                .replaceWithVoid();
    }
}
