package io.tocsin.outbox;

import java.time.Clock;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.hibernate.LockMode;
import org.hibernate.reactive.mutiny.Mutiny;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.vertx.core.Vertx;

/**
 * Publishes committed outbox rows to their topics through the {@code outbox} channel, oldest first, and marks them
 * published in the same transaction that locked them ({@code FOR UPDATE SKIP LOCKED}, so instances share the work
 * without sending a row twice at once). A crash between Kafka's acknowledgement and the commit sends the rows again:
 * consumers skip event ids they have seen.
 */
@ApplicationScoped
public class OutboxRelay {

    private static final int BATCH = 500;

    private final Mutiny.SessionFactory sessions;
    private final MutinyEmitter<String> outbox;
    private final Clock clock;
    private final long lockKey;
    private final Rounds rounds;

    public OutboxRelay(Mutiny.SessionFactory sessions, @Channel("outbox") MutinyEmitter<String> outbox, Clock clock,
            Vertx vertx, @ConfigProperty(name = "quarkus.application.name") String application) {
        this.sessions = sessions;
        this.outbox = outbox;
        this.clock = clock;
        this.lockKey = lockKey(application);
        this.rounds = new Rounds(vertx, "publishing outbox rows", () -> publishPending().map(n -> n == BATCH));
    }

    /** The safety net: picks up rows a crashed or busy instance left behind. Commits kick the relay directly. */
    // Not before the application runs: the emitter connects to its channel only once messaging has started.
    @Scheduled(every = "${tocsin.outbox.interval:1s}", delayed = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP, skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> tick() {
        return Uni.createFrom().voidItem().invoke(this::kick);
    }

    /**
     * Publishes what is pending now, without waiting for the next tick; called right after a transaction that wrote
     * outbox rows commits. Runs one drain at a time; a kick during a drain makes it go round again.
     */
    public void kick() {
        rounds.kick();
    }

    /**
     * Publishes one batch of pending rows; emits how many. One instance of a service relays at a time (a transaction
     * advisory lock keyed by the service's name): two relays each taking a share of the rows would publish one
     * incident's events out of order.
     */
    public Uni<Integer> publishPending() {
        // HQL for the rows, not a native query: Hibernate caches a plan per native-query call with an entity result,
        // and that cache grew without bound under load (measured with bench/alert-storm.sh).
        return sessions.withTransaction((session, tx) -> session
                .createNativeQuery("select pg_try_advisory_xact_lock(" + lockKey + ")", Boolean.class)
                .getSingleResult()
                .chain(mine -> !mine ? Uni.createFrom().item(0)
                        : session
                                .createSelectionQuery("from OutboxRecord where publishedAt is null order by id",
                                        OutboxRecord.class)
                                .setMaxResults(BATCH)
                                .setLockMode(LockMode.UPGRADE_SKIPLOCKED)
                                .getResultList()
                                .chain(rows -> send(rows).invoke(() -> rows.forEach(row -> row.publishedAt = clock.instant()))
                                        .replaceWith(rows.size()))));
    }

    /** The advisory lock only this service's relays take: derived from its name, stable across restarts. */
    public static long lockKey(String application) {
        return ("tocsin-outbox-relay:" + application).hashCode();
    }

    private Uni<Void> send(List<OutboxRecord> rows) {
        if (rows.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Uni<Void>> sends = rows.stream().map(row -> outbox.sendMessage(Message.of(row.payload)
                .addMetadata(OutgoingKafkaRecordMetadata.<String> builder()
                        .withTopic(row.topic).withKey(row.messageKey).build())))
                .toList();
        return Uni.join().all(sends).andFailFast().replaceWithVoid();
    }
}
