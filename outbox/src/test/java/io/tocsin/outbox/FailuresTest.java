package io.tocsin.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ConnectException;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.NetworkException;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.hibernate.HibernateException;
import org.hibernate.exception.JDBCConnectionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.smallrye.mutiny.Uni;
import io.tocsin.outbox.Failures.Kind;
import io.vertx.core.VertxException;
import io.vertx.core.impl.NoStackTraceTimeoutException;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;

class FailuresTest {

    private static final Duration FAST = Duration.ofMillis(1);

    private static PgException pg(String sqlState) {
        return new PgException("refused", "ERROR", sqlState, null);
    }

    @ParameterizedTest
    @ValueSource(strings = { "08006", "08001", "40001", "40P01", "53300", "57P01", "57P03", "57014", "58030" })
    void aSqlStateThatCanPassOnARetryIsTransientEvenWrapped(String sqlState) {
        assertThat(Failures.classify(pg(sqlState))).isEqualTo(Kind.TRANSIENT);
        assertThat(Failures.classify(new CompletionException(new HibernateException("flush", pg(sqlState)))))
                .isEqualTo(Kind.TRANSIENT);
        assertThat(Failures.isPoison(pg(sqlState))).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = { "22021", "22P02", "23505", "23503", "42P01", "42703", "54000", "0A000", "XX000" })
    void aSqlStateOfTheDatabaseRefusingTheRecordIsDeterministicEvenWrapped(String sqlState) {
        assertThat(Failures.classify(pg(sqlState))).isEqualTo(Kind.DETERMINISTIC);
        assertThat(Failures.classify(new CompletionException(new HibernateException("flush", pg(sqlState)))))
                .isEqualTo(Kind.DETERMINISTIC);
        assertThat(Failures.isPoison(pg(sqlState))).isTrue();
    }

    @Test
    void aFailoverACloseRaceAndAnOptimisticLockConflictAreTransient() {
        assertThat(Failures.classify(new io.vertx.core.impl.NoStackTraceThrowable(
                "Connection is not active now, current status: CLOSING"))).isEqualTo(Kind.TRANSIENT);
        assertThat(Failures.classify(new VertxException("Client is closed"))).isEqualTo(Kind.TRANSIENT);
        assertThat(Failures.classify(new SQLException("read-only transaction", "25006"))).isEqualTo(Kind.TRANSIENT);
        assertThat(Failures.classify(new SQLException("lock not available", "55P03"))).isEqualTo(Kind.TRANSIENT);
        assertThat(Failures.classify(new SQLException("password authentication failed", "28P01")))
                .isEqualTo(Kind.TRANSIENT);
        assertThat(Failures.classify(new org.hibernate.StaleObjectStateException("IncidentRecord", "id")))
                .isEqualTo(Kind.TRANSIENT);
        assertThat(Failures.classify(new SQLException("value too long", "22001"))).isEqualTo(Kind.DETERMINISTIC);
    }

    @Test
    void aDeadlockASerializationFailureALockNotAvailableAndAVersionConflictAreConflictsAndNothingElseIs() {
        assertThat(Failures.isConflict(new CompletionException(new HibernateException("flush", pg("40P01")))))
                .isTrue();
        assertThat(Failures.isConflict(pg("40001"))).isTrue();
        assertThat(Failures.isConflict(new SQLException("lock not available", "55P03"))).isTrue();
        assertThat(Failures.isConflict(new org.hibernate.StaleObjectStateException("IncidentRecord", "id"))).isTrue();
        assertThat(Failures.isConflict(pg("08006"))).as("the database away is no conflict").isFalse();
        assertThat(Failures.isConflict(pg("23505"))).isFalse();
        assertThat(Failures.isConflict(new ConnectException("Connection refused"))).isFalse();
    }

    @Test
    void connectionLossTimeoutsAndRetriableKafkaErrorsAreTransient() {
        List<Throwable> transients = List.of(new ConnectException("Connection refused"),
                ClosedConnectionException.INSTANCE, new VertxException("Connection was closed"),
                new NoStackTraceTimeoutException("Timeout waiting for connection"),
                new io.vertx.core.impl.NoStackTraceThrowable("Pool closed"),
                new java.util.concurrent.TimeoutException(), new TimeoutException("expired"),
                new NotEnoughReplicasException("isr"), new NetworkException("gone"),
                new JDBCConnectionException("no connection", new SQLException("refused", "08001")),
                new HibernateException(new java.io.IOException("Connection reset by peer")));
        assertThat(transients).allSatisfy(failure -> assertThat(Failures.classify(failure))
                .as(failure.toString()).isEqualTo(Kind.TRANSIENT));
    }

    @Test
    void codeFailuresKafkaRefusalsAndUnknownFailuresAreDeterministic() {
        List<Throwable> deterministic = List.of(new IllegalArgumentException("bad"), new NullPointerException(),
                new ClassCastException(), new RecordTooLargeException("too large"),
                new InvalidTopicException("bad topic"), new SerializationException("cannot"),
                new IllegalStateException("who knows"), new RuntimeException("unclassified"),
                new com.fasterxml.jackson.core.JsonParseException(null, "not json"),
                new RuntimeException("wrapping", new IllegalArgumentException("bad")));
        assertThat(deterministic).allSatisfy(failure -> assertThat(Failures.classify(failure))
                .as(failure.toString()).isEqualTo(Kind.DETERMINISTIC));
    }

    @Test
    void theMostSpecificCauseDecides() {
        // A connection failure reported inside a generic wrapper passes; a refusal inside one does not.
        assertThat(Failures.classify(new IllegalStateException("flush failed", new ConnectException("refused"))))
                .isEqualTo(Kind.TRANSIENT);
        assertThat(Failures.classify(new VertxException("Connection was closed", pg("23505"))))
                .isEqualTo(Kind.DETERMINISTIC);
    }

    @Test
    void aTransientFailureIsRetriedUntilItSucceedsAndHoldsTheRecordMeanwhile() {
        AtomicInteger attempts = new AtomicInteger();
        AtomicInteger deadLettered = new AtomicInteger();
        List<Map<String, Duration>> heldDuring = new ArrayList<>();
        Uni<String> work = Uni.createFrom().deferred(() -> {
            heldDuring.add(Failures.held().heldLongerThan(Duration.ZERO));
            return attempts.incrementAndGet() <= 8 ? Uni.createFrom().failure(pg("57P01"))
                    : Uni.createFrom().item("applied");
        });

        String result = Failures.applyOrDeadLetter("alerts", work, Failures::isPoison, "alert 1",
                deadLettered::incrementAndGet, FAST, FAST).await().atMost(Duration.ofSeconds(10));

        assertThat(result).isEqualTo("applied");
        assertThat(attempts).hasValue(9);
        assertThat(deadLettered).hasValue(0);
        assertThat(heldDuring.get(0)).as("not held before it failed").isEmpty();
        assertThat(heldDuring.get(8)).containsOnlyKeys("alerts");
        assertThat(Failures.held().heldLongerThan(Duration.ZERO)).as("released once applied").isEmpty();
    }

    @Test
    void aDeterministicFailureEndsAfterTheBoundAndIsDeadLettered() {
        AtomicInteger attempts = new AtomicInteger();
        AtomicInteger deadLettered = new AtomicInteger();
        Uni<String> work = Uni.createFrom().deferred(() -> {
            attempts.incrementAndGet();
            return Uni.createFrom().failure(pg("54000"));
        });

        assertThatThrownBy(() -> Failures.applyOrDeadLetter("alerts", work, Failures::isPoison, "alert 2",
                deadLettered::incrementAndGet, FAST, FAST).await().atMost(Duration.ofSeconds(10)))
                .isInstanceOf(PgException.class);

        assertThat(attempts).hasValue(Failures.DETERMINISTIC_ATTEMPTS);
        assertThat(deadLettered).hasValue(1);
        assertThat(Failures.held().heldLongerThan(Duration.ZERO)).isEmpty();
    }

    @Test
    void anUnknownFailureIsDeadLetteredAfterTheBoundThroughThePublicApi() {
        AtomicInteger attempts = new AtomicInteger();
        AtomicInteger deadLettered = new AtomicInteger();
        Uni<Void> work = Uni.createFrom().deferred(() -> {
            attempts.incrementAndGet();
            return Uni.createFrom().failure(new IllegalStateException("unclassified"));
        });

        assertThatThrownBy(() -> Failures.applyOrDeadLetter(work, "alert 3", deadLettered::incrementAndGet)
                .await().atMost(Duration.ofSeconds(10))).isInstanceOf(IllegalStateException.class);

        assertThat(attempts).hasValue(Failures.DETERMINISTIC_ATTEMPTS);
        assertThat(deadLettered).hasValue(1);
    }

    @Test
    void transientFailuresDoNotUseUpTheDeterministicBound() {
        AtomicInteger attempts = new AtomicInteger();
        // Refused, the database away three times, refused again, then applied: five failures, more than the bound,
        // but only two of them deterministic.
        List<Throwable> failures = List.of(pg("23505"), pg("08006"), pg("08006"), pg("08006"), pg("23505"));
        Uni<String> work = Uni.createFrom().deferred(() -> {
            int attempt = attempts.getAndIncrement();
            return attempt < failures.size() ? Uni.createFrom().failure(failures.get(attempt))
                    : Uni.createFrom().item("applied");
        });

        String result = Failures.applyOrDeadLetter("alerts", work, Failures::isPoison, "alert 4", () -> {
        }, FAST, FAST).await().atMost(Duration.ofSeconds(10));

        assertThat(result).isEqualTo("applied");
        assertThat(attempts).hasValue(6);
    }

    @Test
    void aConsumersOwnPoisonPredicateStillDecidesWhatIsRetriedWithoutLimit() {
        AtomicInteger attempts = new AtomicInteger();
        Uni<String> work = Uni.createFrom().deferred(() -> attempts.incrementAndGet() <= 5
                ? Uni.createFrom().failure(pg("23505"))
                : Uni.createFrom().item("applied"));

        String result = Failures.applyOrDeadLetter("incidents", work, failure -> false, "event 5", () -> {
        }, FAST, FAST).await().atMost(Duration.ofSeconds(10));

        assertThat(result).isEqualTo("applied");
    }

    @Test
    void theKindOfARecordIsItsNameWithoutTheId() {
        assertThat(Failures.kindOf("alert 0f3c")).isEqualTo("alert");
        assertThat(Failures.kindOf("runbook event 1d2e")).isEqualTo("runbook event");
    }
}
