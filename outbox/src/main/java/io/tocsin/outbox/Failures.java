package io.tocsin.outbox;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.time.Duration;
import java.util.IdentityHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.RetriableException;
import org.hibernate.JDBCException;
import org.hibernate.exception.ConstraintViolationException;
import org.hibernate.exception.DataException;
import org.hibernate.exception.JDBCConnectionException;
import org.jboss.logging.Logger;

import io.smallrye.mutiny.Uni;
import io.vertx.sqlclient.ClosedConnectionException;
import io.vertx.sqlclient.DatabaseException;

/**
 * The one retry rule of every consumer: a failure is <em>transient</em> (the database or Kafka away, a conflict with
 * another transaction) and retried without limit, holding the partition; or <em>deterministic</em> (the database
 * refuses the record, the code cannot handle it, or nobody knows what it is) and retried a few times, then
 * dead-lettered, so one bad record never holds back the records behind it (ADR 14).
 */
public final class Failures {

    /** What a failure says about retrying the record. */
    public enum Kind {
        /** May pass by itself: retried until it does, the partition held meanwhile. */
        TRANSIENT,
        /** Will happen again (or cannot be told to pass): retried {@link #DETERMINISTIC_ATTEMPTS} times in all. */
        DETERMINISTIC
    }

    /** Backoff between retries of a transient failure. */
    public static final Duration FIRST_BACKOFF = Duration.ofMillis(200);
    public static final Duration MAX_BACKOFF = Duration.ofSeconds(15);

    /** Attempts in all of a record that fails deterministically, before it is dead-lettered. */
    public static final int DETERMINISTIC_ATTEMPTS = 3;
    /** Pause between those attempts: long enough for a racing transaction to commit, short enough not to matter. */
    public static final Duration DETERMINISTIC_BACKOFF = Duration.ofMillis(100);

    private static final Logger LOG = Logger.getLogger(Failures.class);
    private static final HeldRecords HELD = new HeldRecords();

    // SQLSTATE classes (first two characters) that can pass on a retry: connection exception, transaction rollback
    // (serialization failure, deadlock), insufficient resources, operator intervention (admin shutdown, cannot connect
    // now, query cancelled), system error. Every other class is the database refusing this statement.
    private static final Set<String> TRANSIENT_SQL_CLASSES = Set.of("08", "40", "53", "57", "58", "28", "3D");
    // Single states that pass too: a read-only transaction (a failed-over primary turned standby), a lock not
    // available, an object in use. Classes 28 (credentials) and 3D (database missing) are the server's state, not the
    // record's: held, readiness DOWN, rather than dead-lettered.
    private static final Set<String> TRANSIENT_SQL_STATES = Set.of("25006", "55P03", "55006");

    private Failures() {
    }

    /** The records held now by a transient failure, for the readiness check. */
    public static HeldRecords held() {
        return HELD;
    }

    /**
     * Sorts a failure by the most specific link of its cause chain that says something: a SQLSTATE, a Kafka error's
     * retriability, a connection or timeout failure, a code failure. A failure none of them describe is
     * deterministic: held forever, an unknown failure would stall its partition, which is worse than dead-lettering
     * a record that could have passed (it is kept on the dead-letter topic).
     */
    public static Kind classify(Throwable failure) {
        Kind kind = null;
        Map<Throwable, Boolean> seen = new IdentityHashMap<>();
        for (Throwable cause = failure; cause != null && seen.put(cause, true) == null; cause = cause.getCause()) {
            Kind own = own(cause);
            if (own != null) {
                kind = own;
            }
        }
        return kind == null ? Kind.DETERMINISTIC : kind;
    }

    /** Whether retrying may mend it. */
    public static boolean isTransient(Throwable failure) {
        return classify(failure) == Kind.TRANSIENT;
    }

    /**
     * Two transactions wanting one row: a serialization failure or deadlock (class 40), a lock not available (55P03),
     * or an optimistic-lock conflict (the row's version moved). Retried at once, with jitter, the loser sees the
     * winner's change; an API answers it after a few such retries rather than with a 5xx.
     */
    public static boolean isConflict(Throwable failure) {
        Map<Throwable, Boolean> seen = new IdentityHashMap<>();
        for (Throwable cause = failure; cause != null && seen.put(cause, true) == null; cause = cause.getCause()) {
            String state = cause instanceof DatabaseException database ? database.getSqlState()
                    : cause instanceof JDBCException jdbc ? jdbc.getSQLState()
                            : cause instanceof SQLException sql ? sql.getSQLState() : null;
            if (state != null && (state.startsWith("40") || state.equalsIgnoreCase("55P03"))) {
                return true;
            }
            if (cause instanceof jakarta.persistence.OptimisticLockException
                    || cause instanceof jakarta.persistence.PessimisticLockException
                    || cause instanceof org.hibernate.StaleStateException
                    || cause instanceof org.hibernate.PessimisticLockException) {
                return true;
            }
        }
        return false;
    }

    /**
     * A failure that will happen again however often the record is retried, or one nobody can tell will pass: it goes
     * to the dead-letter topic after {@link #DETERMINISTIC_ATTEMPTS} attempts.
     */
    public static boolean isPoison(Throwable failure) {
        return classify(failure) == Kind.DETERMINISTIC;
    }

    /** The kind of the SQLSTATE alone; null when there is none. */
    public static Kind ofSqlState(String sqlState) {
        if (sqlState == null || sqlState.length() < 2) {
            return null;
        }
        String state = sqlState.toUpperCase(Locale.ROOT);
        return TRANSIENT_SQL_CLASSES.contains(state.substring(0, 2)) || TRANSIENT_SQL_STATES.contains(state)
                ? Kind.TRANSIENT
                : Kind.DETERMINISTIC;
    }

    private static Kind own(Throwable cause) {
        if (cause instanceof DatabaseException database && ofSqlState(database.getSqlState()) != null) {
            return ofSqlState(database.getSqlState());
        }
        if (cause instanceof JDBCException jdbc && ofSqlState(jdbc.getSQLState()) != null) {
            return ofSqlState(jdbc.getSQLState());
        }
        if (cause instanceof SQLException sql && ofSqlState(sql.getSQLState()) != null) {
            return ofSqlState(sql.getSQLState());
        }
        if (cause instanceof SQLTransientException || cause instanceof SQLRecoverableException
                || cause instanceof JDBCConnectionException) {
            return Kind.TRANSIENT;
        }
        if (cause instanceof ConstraintViolationException || cause instanceof DataException) {
            return Kind.DETERMINISTIC;
        }
        if (cause instanceof RetriableException) {
            return Kind.TRANSIENT;
        }
        // Any other error the broker or the client names (a record too large, an invalid topic, a serialization
        // failure) fails the same way again; a bare KafkaException only wraps.
        if (cause instanceof ApiException || (cause instanceof KafkaException
                && cause.getClass() != KafkaException.class)) {
            return Kind.DETERMINISTIC;
        }
        // Jackson's failures are IOExceptions too, but a payload that does not map never will.
        if (cause.getClass().getName().startsWith("com.fasterxml.jackson.")
                || cause instanceof java.nio.charset.CharacterCodingException) {
            return Kind.DETERMINISTIC;
        }
        if (cause instanceof TimeoutException || cause instanceof IOException
                || cause instanceof ClosedChannelException || cause instanceof ClosedConnectionException) {
            return Kind.TRANSIENT;
        }
        // Two writers of one incident: the loser's retry sees the winner's change.
        if (cause instanceof jakarta.persistence.OptimisticLockException
                || cause instanceof jakarta.persistence.PessimisticLockException
                || cause instanceof jakarta.persistence.LockTimeoutException
                || cause instanceof org.hibernate.StaleStateException
                || cause instanceof org.hibernate.PessimisticLockException) {
            return Kind.TRANSIENT;
        }
        if (cause instanceof IllegalArgumentException || cause instanceof NullPointerException
                || cause instanceof ClassCastException) {
            return Kind.DETERMINISTIC;
        }
        // Vert.x reports a dropped connection, an exhausted pool or a pool closing with the application as a bare
        // VertxException or NoStackTraceThrowable with only a message.
        if (cause.getClass().getName().startsWith("io.vertx.") && connectionLost(cause.getMessage())) {
            return Kind.TRANSIENT;
        }
        return null;
    }

    private static boolean connectionLost(String message) {
        if (message == null) {
            return false;
        }
        String text = message.toLowerCase(Locale.ROOT);
        return text.contains("connection") && (text.contains("closed") || text.contains("refused")
                || text.contains("reset")) || text.contains("timeout") || text.contains("timed out")
                || text.contains("pool closed") || text.contains("not active") || text.contains("is closed")
                || text.contains("vert.x closed") || text.contains("closing") || text.contains("wait queue");
    }

    /**
     * How a consumer applies a record: {@code work}, retried with backoff for as long as it fails transiently (the
     * database away), holding the partition so nothing is skipped; a deterministic failure ends it after
     * {@link #DETERMINISTIC_ATTEMPTS} attempts and {@code deadLettered} has counted it, and the connector sends the
     * record to its dead-letter topic.
     *
     * @param what names the record in logs, such as {@code "alert 0f3c…"}; its words before the id name the kind
     *        of record in the readiness check
     */
    public static <T> Uni<T> applyOrDeadLetter(Uni<T> work, String what, Runnable deadLettered) {
        return applyOrDeadLetter(work, Failures::isPoison, what, deadLettered);
    }

    /**
     * As {@link #applyOrDeadLetter(Uni, String, Runnable)}, with the consumer's own idea of poison: a failure it
     * calls poison is deterministic, any other transient.
     */
    public static <T> Uni<T> applyOrDeadLetter(Uni<T> work, Predicate<Throwable> poison, String what,
            Runnable deadLettered) {
        return applyOrDeadLetter(kindOf(what), work, poison, what, deadLettered);
    }

    /** As {@link #applyOrDeadLetter(Uni, String, Runnable)}, naming the channel in the readiness check. */
    public static <T> Uni<T> applyOrDeadLetter(String channel, Uni<T> work, String what, Runnable deadLettered) {
        return applyOrDeadLetter(channel, work, Failures::isPoison, what, deadLettered);
    }

    /** As {@link #applyOrDeadLetter(Uni, Predicate, String, Runnable)}, naming the channel in the readiness check. */
    public static <T> Uni<T> applyOrDeadLetter(String channel, Uni<T> work, Predicate<Throwable> poison, String what,
            Runnable deadLettered) {
        return applyOrDeadLetter(channel, work, poison, what, deadLettered, FIRST_BACKOFF, DETERMINISTIC_BACKOFF);
    }

    // The backoffs are parameters so the unit test runs in milliseconds.
    static <T> Uni<T> applyOrDeadLetter(String channel, Uni<T> work, Predicate<Throwable> poison, String what,
            Runnable deadLettered, Duration firstBackoff, Duration deterministicBackoff) {
        return retry(channel, work, poison, what, DETERMINISTIC_ATTEMPTS, deterministicBackoff, firstBackoff)
                .onFailure().invoke(failure -> {
                    LOG.errorf("applying %s failed %d times, dead-lettering it: %s", what, DETERMINISTIC_ATTEMPTS,
                            failure);
                    deadLettered.run();
                });
    }

    /**
     * As {@link #applyOrDeadLetter}, for work whose caller has another way when it fails deterministically (escalation
     * applies a batch of alerts in bulk, and one at a time when the bulk cannot be applied): transient failures are
     * retried without limit, holding the partition; a deterministic one ends it at once, for the caller to handle.
     */
    public static <T> Uni<T> retryWhileTransient(String channel, Uni<T> work, Predicate<Throwable> poison,
            String what) {
        return retry(channel, work, poison, what, 1, Duration.ZERO, FIRST_BACKOFF);
    }

    private static <T> Uni<T> retry(String channel, Uni<T> work, Predicate<Throwable> poison, String what,
            int deterministicAttempts, Duration deterministicBackoff, Duration firstBackoff) {
        return Uni.createFrom().deferred(() -> {
            Object token = new Object();
            AtomicInteger deterministic = new AtomicInteger();
            AtomicInteger transients = new AtomicInteger();
            return work
                    .onFailure().retry().when(failures -> failures.onItem().transformToUniAndConcatenate(failure -> {
                        if (!poison.test(failure)) {
                            HELD.hold(token, channel);
                            int attempt = transients.incrementAndGet();
                            LOG.warnf("applying %s failed transiently (attempt %d), retrying: %s", what, attempt,
                                    failure);
                            return pause(backoff(firstBackoff, attempt));
                        }
                        HELD.release(token);
                        int attempt = deterministic.incrementAndGet();
                        if (attempt >= deterministicAttempts) {
                            return Uni.createFrom().failure(failure);
                        }
                        LOG.warnf("applying %s failed (attempt %d of %d), retrying: %s", what, attempt,
                                deterministicAttempts, failure);
                        return pause(deterministicBackoff);
                    }))
                    .onTermination().invoke(() -> HELD.release(token));
        });
    }

    private static Uni<Integer> pause(Duration delay) {
        return Uni.createFrom().item(0).onItem().delayIt().by(delay);
    }

    private static Duration backoff(Duration first, int attempt) {
        long millis = first.toMillis() << Math.min(attempt - 1, 16);
        return Duration.ofMillis(Math.min(millis, MAX_BACKOFF.toMillis()));
    }

    /** "alert 0f3c…" → "alert"; "runbook event 1d2e…" → "runbook event". */
    static String kindOf(String what) {
        int space = what.lastIndexOf(' ');
        return space > 0 ? what.substring(0, space) : what;
    }
}
