package io.tocsin.outbox;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.InterruptException;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.hibernate.LockMode;
import org.hibernate.reactive.mutiny.Mutiny;
import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * Publishes committed outbox rows to their topics through the {@code outbox} channel's producer, oldest first (the
 * rows of a service's {@link UrgentKeys} before the others), and
 * marks them published in the same transaction that locked them ({@code FOR UPDATE SKIP LOCKED}, so instances share
 * the work without sending a row twice at once). A crash between Kafka's acknowledgement and the commit sends the rows
 * again: consumers skip event ids they have seen.
 * <p>
 * Each row has its own outcome. A row Kafka refuses (too large, an invalid topic) is tried again later and parked
 * after {@code tocsin.outbox.max-attempts}; the rows of its key wait behind it, so one incident's events keep their
 * order, while every other key flows. A broker outage counts against no row: the relay backs off and sends again.
 */
@ApplicationScoped
public class OutboxRelay {

    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);
    private static final int BATCH = 500;
    /** At most this many urgent keys a round (unresolved P0/P1 incidents, in escalation): the rest wait their turn. */
    private static final int URGENT_KEYS = 1000;
    private static final Duration FIRST_RELAY_BACKOFF = Duration.ofSeconds(1);
    private static final Duration MAX_RELAY_BACKOFF = Duration.ofSeconds(5);

    // Rows that may go now: not waiting after a refusal, and not of a key whose row waits (one incident's events in
    // order). A row behind an older row that may go too is claimed with it and sent after it. The waiting keys are an
    // uncorrelated subquery, computed once: as a correlated NOT EXISTS, a plan made while the table was small (a
    // prepared statement's generic plan) joined every pending row to every other, and one claim of 30,000 pending rows
    // ran for minutes (bench/new-alert-storm.sh, 2026-12-03).
    private static final String CLAIM = "from OutboxRecord r where r.publishedAt is null and r.parkedAt is null"
            + " and (r.nextAttemptAt is null or r.nextAttemptAt <= :now)"
            + " and r.messageKey not in (select o.messageKey from OutboxRecord o where o.publishedAt is null"
            + " and o.parkedAt is null and o.nextAttemptAt > :now)";

    private final Mutiny.SessionFactory sessions;
    /** The query of urgent keys, or null when the service names none ({@link UrgentKeys}). */
    private final String urgentKeys;
    private final KafkaClientService kafka;
    private final Clock clock;
    private final long lockKey;
    private final Rounds rounds;
    private final String application;
    private final int maxAttempts;
    private final Duration retryBackoff;
    private final Duration maxRetryBackoff;
    private final Counter parked;
    private final AtomicLong parkedRows = new AtomicLong();
    private volatile long pausedUntilNanos = System.nanoTime();
    private volatile Duration relayBackoff = FIRST_RELAY_BACKOFF;

    /**
     * @param outbox the channel whose producer sends the rows; injected so the connector creates it
     * @param maxAttempts sends Kafka refuses for a row before it is parked ({@code tocsin.outbox.max-attempts}, 5)
     * @param retryBackoff wait after a row's first refused send, doubled after each
     *        ({@code tocsin.outbox.retry-backoff}, 1 s)
     * @param maxRetryBackoff the longest wait between a row's sends ({@code tocsin.outbox.max-retry-backoff}, 5 min)
     */
    public OutboxRelay(Mutiny.SessionFactory sessions, @Channel("outbox") MutinyEmitter<String> outbox,
            KafkaClientService kafka, Clock clock, Vertx vertx, MeterRegistry registry,
            @ConfigProperty(name = "quarkus.application.name") String application,
            @ConfigProperty(name = "tocsin.outbox.max-attempts", defaultValue = "5") int maxAttempts,
            @ConfigProperty(name = "tocsin.outbox.retry-backoff", defaultValue = "1s") Duration retryBackoff,
            @ConfigProperty(name = "tocsin.outbox.max-retry-backoff", defaultValue = "5m") Duration maxRetryBackoff,
            Instance<UrgentKeys> urgent) {
        this.sessions = sessions;
        this.urgentKeys = urgent.isResolvable() ? urgent.get().query() : null;
        this.kafka = kafka;
        this.clock = clock;
        this.application = application;
        this.lockKey = lockKey(application);
        this.maxAttempts = maxAttempts;
        this.retryBackoff = retryBackoff;
        this.maxRetryBackoff = maxRetryBackoff;
        this.parked = Counter.builder("tocsin.outbox.parked").tag("service", application)
                .description("outbox rows Kafka refused too often, parked unpublished").register(registry);
        Gauge.builder("tocsin.outbox.parked.rows", parkedRows, AtomicLong::get).tag("service", application)
                .description("outbox rows parked now").register(registry);
        this.rounds = new Rounds(vertx, "publishing outbox rows", this::round);
    }

    /** The safety net: picks up rows a crashed or busy instance left behind. Commits kick the relay directly. */
    // Not before the application runs: the emitter connects to its channel only once messaging has started.
    @Scheduled(every = "${tocsin.outbox.interval:1s}", delayed = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP, skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> tick() {
        return Uni.createFrom().voidItem().invoke(this::kick);
    }

    /** Keeps the parked-rows gauge true when someone releases or deletes parked rows by hand. */
    @Scheduled(every = "30s", delayed = "5s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP, skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> countParked() {
        return sessions.withSession(session -> session
                .createSelectionQuery("select count(*) from OutboxRecord where parkedAt is not null", Long.class)
                .getSingleResult())
                .invoke(parkedRows::set)
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    /**
     * Publishes what is pending now, without waiting for the next tick; called right after a transaction that wrote
     * outbox rows commits. Runs one drain at a time; a kick during a drain makes it go round again.
     */
    public void kick() {
        rounds.kick();
    }

    /**
     * Publishes one batch of pending rows; emits how many were published. One instance of a service relays at a time
     * (a transaction advisory lock keyed by the service's name): two relays each taking a share of the rows would
     * publish one incident's events out of order.
     */
    public Uni<Integer> publishPending() {
        return relay().map(Batch::published);
    }

    /** The advisory lock only this service's relays take: derived from its name, stable across restarts. */
    public static long lockKey(String application) {
        return ("tocsin-outbox-relay:" + application).hashCode();
    }

    private Uni<Boolean> round() {
        return relay().map(Batch::more);
    }

    private record Batch(int published, boolean more) {
    }

    private Uni<Batch> relay() {
        if (System.nanoTime() - pausedUntilNanos < 0) {
            return Uni.createFrom().item(new Batch(0, false));
        }
        Instant now = clock.instant();
        // HQL for the rows, not a native query: Hibernate caches a plan per native-query call with an entity result,
        // and that cache grew without bound under load (measured with bench/alert-storm.sh).
        return sessions.withTransaction((session, tx) -> session
                .createNativeQuery("select pg_try_advisory_xact_lock(" + lockKey + ")", Boolean.class)
                .getSingleResult()
                .chain(mine -> !mine ? Uni.createFrom().item(new Batch(0, false))
                        : claim(session, now)
                                .chain(rows -> send(rows).chain(sends -> settle(session, rows, sends)))));
    }

    /**
     * Claims up to a batch of rows: the urgent keys' rows first (oldest first), then the others, oldest first. A key's
     * rows are all urgent or all not, so each key's rows stay in order; the tail of the second list is what is cut.
     */
    private Uni<List<OutboxRecord>> claim(Mutiny.Session session, Instant now) {
        Uni<List<OutboxRecord>> urgent = urgentKeys == null ? Uni.createFrom().item(List.of())
                : session.createSelectionQuery(urgentKeys, String.class).setMaxResults(URGENT_KEYS).getResultList()
                        .chain(keys -> keys.isEmpty() ? Uni.createFrom().item(List.<OutboxRecord> of())
                                : claim(session, CLAIM + " and r.messageKey in :keys order by r.id", now)
                                        .setParameter("keys", keys).getResultList());
        return urgent.chain(first -> first.size() >= BATCH ? Uni.createFrom().item(first)
                : claim(session, CLAIM + " order by r.id", now).getResultList().map(rest -> {
                    // The urgent rows come again (this transaction's own locks do not skip them): once only.
                    Set<Long> claimed = new HashSet<>();
                    List<OutboxRecord> rows = new ArrayList<>(BATCH);
                    for (OutboxRecord row : first) {
                        claimed.add(row.id);
                        rows.add(row);
                    }
                    for (OutboxRecord row : rest) {
                        if (rows.size() < BATCH && claimed.add(row.id)) {
                            rows.add(row);
                        }
                    }
                    return rows;
                }));
    }

    private static Mutiny.SelectionQuery<OutboxRecord> claim(Mutiny.Session session, String query, Instant now) {
        return session.createSelectionQuery(query, OutboxRecord.class)
                .setParameter("now", now)
                .setMaxResults(BATCH)
                .setLockMode(LockMode.UPGRADE_SKIPLOCKED);
    }

    /**
     * Sends the rows in order on the producer's thread, all at once except: nothing after a row of the same key that
     * the producer refused on the spot (it never reached the broker, so its successors would overtake it), and only
     * the first row of a key whose first row was refused before (it goes alone, its successors the round after).
     * Emits each row's send, or null for a row held back, back on the caller's Vert.x context (Hibernate's session
     * lives there).
     */
    private Uni<List<CompletableFuture<RecordMetadata>>> send(List<OutboxRecord> rows) {
        if (rows.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        Context context = Vertx.currentContext();
        return kafka.<String, String> getProducer("outbox").runOnSendingThread(producer -> {
            List<CompletableFuture<RecordMetadata>> sends = new ArrayList<>(rows.size());
            Set<String> seen = new HashSet<>();
            Set<String> held = new HashSet<>();
            for (OutboxRecord row : rows) {
                boolean first = seen.add(row.messageKey);
                if (held.contains(row.messageKey)) {
                    sends.add(null);
                    continue;
                }
                CompletableFuture<RecordMetadata> sent = sendOne(producer, row);
                sends.add(sent);
                if ((first && row.attempts > 0) || sent.isCompletedExceptionally()) {
                    held.add(row.messageKey);
                }
            }
            return sends;
        }).call(sends -> Uni.join().all(sends.stream().filter(sent -> sent != null)
                .map(sent -> Uni.createFrom().completionStage(sent).onFailure().recoverWithNull())
                .toList()).andCollectFailures().onFailure().recoverWithNull())
                .emitOn(command -> context.runOnContext(ignored -> command.run()));
    }

    private static CompletableFuture<RecordMetadata> sendOne(Producer<String, String> producer, OutboxRecord row) {
        CompletableFuture<RecordMetadata> sent = new CompletableFuture<>();
        try {
            // A refusal before the record reaches the broker (too large, a topic name Kafka rejects) calls back
            // within send(), so it is known before the next row is sent.
            producer.send(new ProducerRecord<>(row.topic, row.messageKey, row.payload), (metadata, failure) -> {
                if (failure != null) {
                    sent.completeExceptionally(failure);
                } else {
                    sent.complete(metadata);
                }
            });
        } catch (RuntimeException failure) {
            sent.completeExceptionally(failure);
        }
        return sent;
    }

    /** Records each row's outcome in the claiming transaction; backs the relay off when Kafka seems away. */
    private Uni<Batch> settle(Mutiny.Session session, List<OutboxRecord> rows,
            List<CompletableFuture<RecordMetadata>> sends) {
        Instant now = clock.instant();
        int published = 0;
        List<Long> delivered = new ArrayList<>(rows.size());
        boolean heldBack = false;
        boolean outage = false;
        for (int i = 0; i < rows.size(); i++) {
            OutboxRecord row = rows.get(i);
            CompletableFuture<RecordMetadata> sent = sends.get(i);
            if (sent == null) {
                heldBack = true;
                continue;
            }
            Throwable failure = failure(sent);
            if (failure == null) {
                // Marked by one statement below, not through the entity: 500 rows were 500 UPDATEs at the flush.
                delivered.add(row.id);
                published++;
            } else if (outage(failure)) {
                row.lastError = describe(failure);
                outage = true;
            } else {
                refused(row, failure, now);
            }
        }
        if (outage) {
            LOG.warnf("publishing outbox rows: Kafka did not take them (%d published), trying again in %d s",
                    published, relayBackoff.toSeconds());
            pausedUntilNanos = System.nanoTime() + relayBackoff.toNanos();
            relayBackoff = relayBackoff.multipliedBy(2).compareTo(MAX_RELAY_BACKOFF) > 0 ? MAX_RELAY_BACKOFF
                    : relayBackoff.multipliedBy(2);
        } else {
            relayBackoff = FIRST_RELAY_BACKOFF;
        }
        // Held back behind a row that went out alone: its successors go at once, not on the next tick.
        boolean more = !outage && (rows.size() == BATCH || (heldBack && published > 0));
        Batch batch = new Batch(published, more);
        if (delivered.isEmpty()) {
            return Uni.createFrom().item(batch);
        }
        return session.createMutationQuery("update OutboxRecord set publishedAt = :now where id in :ids")
                .setParameter("now", now)
                .setParameter("ids", delivered)
                .executeUpdate()
                .replaceWith(batch);
    }

    private void refused(OutboxRecord row, Throwable failure, Instant now) {
        row.attempts++;
        row.lastError = describe(failure);
        if (row.attempts >= maxAttempts) {
            row.parkedAt = now;
            parked.increment();
            parkedRows.incrementAndGet();
            LOG.warnf("outbox row %d (topic %s, key %s) parked after %d refused sends: %s; the rows of its key "
                    + "flow on. Clear parked_at to send it again", row.id, row.topic, row.messageKey, row.attempts,
                    row.lastError);
            return;
        }
        long factor = 1L << Math.min(row.attempts - 1, 20);
        Duration wait = retryBackoff.multipliedBy(factor);
        row.nextAttemptAt = now.plus(wait.compareTo(maxRetryBackoff) > 0 ? maxRetryBackoff : wait);
        LOG.warnf("outbox row %d (topic %s, key %s) refused (attempt %d of %d), its key waits: %s", row.id, row.topic,
                row.messageKey, row.attempts, maxAttempts, row.lastError);
    }

    private static Throwable failure(CompletableFuture<RecordMetadata> sent) {
        try {
            sent.join();
            return null;
        } catch (java.util.concurrent.CompletionException | java.util.concurrent.CancellationException e) {
            return e.getCause() != null ? e.getCause() : e;
        }
    }

    /**
     * A failure of Kafka rather than of the row: retriable errors, timeouts, and a producer closing with the
     * application. None of them counts toward parking, or a long outage would park every event.
     */
    private static boolean outage(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof InterruptException || (cause instanceof IllegalStateException
                    && String.valueOf(cause.getMessage()).contains("closed"))) {
                return true;
            }
            if (cause.getCause() == cause) {
                break;
            }
        }
        return Failures.isTransient(failure);
    }

    private static String describe(Throwable failure) {
        String message = String.valueOf(failure.getMessage());
        return failure.getClass().getName() + ": " + (message.length() > 300 ? message.substring(0, 300) : message);
    }
}
