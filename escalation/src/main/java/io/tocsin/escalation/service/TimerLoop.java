package io.tocsin.escalation.service;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.enterprise.context.ApplicationScoped;

import org.hibernate.LockMode;
import org.hibernate.reactive.mutiny.Mutiny;
import org.jboss.logging.Logger;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.tocsin.escalation.config.EscalationConfig;
import io.tocsin.escalation.domain.TimerRetries;
import io.tocsin.escalation.metrics.EscalationMetrics;
import io.tocsin.escalation.persistence.EventLog;
import io.tocsin.escalation.persistence.IncidentRecord;
import io.tocsin.escalation.persistence.TimerRecord;
import io.tocsin.outbox.Failures;
import io.tocsin.outbox.OutboxRelay;
import io.tocsin.outbox.Rounds;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Fires due escalation timers: the incidents with due timers are taken P0 first, then by due time, and each incident's
 * due timers fire in a transaction of its own, claimed with {@code FOR UPDATE SKIP LOCKED} so two instances never fire
 * one twice (ADR 7, ADR 15). A timer whose firing fails is retried alone with backoff, then given up as failed, with a
 * timeline entry and a metric; every other incident's timers fire meanwhile.
 */
@ApplicationScoped
public class TimerLoop {

    /** Incidents taken per round; a full round goes again at once. */
    static final int BATCH = 100;
    static final Duration FIRST_BACKOFF = Duration.ofSeconds(10);
    static final Duration MAX_BACKOFF = Duration.ofMinutes(5);

    private static final Logger LOG = Logger.getLogger(TimerLoop.class);

    /**
     * $1 now, $2 the batch. Incidents with a due timer, most urgent first ('P0' < 'P3' < 'UNKNOWN' as text), then the
     * earliest due; with the due time of the oldest due timer of all (the window is computed before the limit).
     */
    private static final String DUE_INCIDENTS = """
            SELECT t.incident_id, min(min(t.due_at)) OVER () AS oldest
            FROM escalation_timer t JOIN incident i ON i.id = t.incident_id
            WHERE t.fired_at IS NULL AND t.cancelled_at IS NULL AND t.failed_at IS NULL
              AND coalesce(t.retry_at, t.due_at) <= $1
            GROUP BY t.incident_id, i.priority
            ORDER BY i.priority, min(coalesce(t.retry_at, t.due_at)), t.incident_id
            LIMIT $2
            """;

    private final Mutiny.SessionFactory sessions;
    private final Pool pool;
    private final Escalations escalations;
    private final EventLog events;
    private final OutboxRelay relay;
    private final Clock clock;
    private final EscalationMetrics metrics;
    private final TimerRetries retries;
    private final Rounds rounds;

    public TimerLoop(Mutiny.SessionFactory sessions, Pool pool, Escalations escalations, EventLog events,
            OutboxRelay relay, Clock clock, EscalationMetrics metrics, EscalationConfig config, Vertx vertx) {
        this.sessions = sessions;
        this.pool = pool;
        this.escalations = escalations;
        this.events = events;
        this.relay = relay;
        this.clock = clock;
        this.metrics = metrics;
        this.retries = new TimerRetries(config.timerAttempts(), FIRST_BACKOFF, MAX_BACKOFF);
        this.rounds = new Rounds(vertx, "firing escalation timers", () -> round().map(Round::more));
    }

    @Scheduled(every = "${tocsin.escalation.timer-interval}", delayed = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP, skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void tick() {
        rounds.kick();
    }

    /** Fires every timer due by the clock's now, round after round while rounds are full; emits how many fired. */
    public Uni<Integer> fireDue() {
        return round().chain(round -> round.more() ? fireDue().map(later -> later + round.fired())
                : Uni.createFrom().item(round.fired()));
    }

    /** One round: up to {@link #BATCH} incidents' due timers. */
    Uni<Round> round() {
        Instant now = clock.instant();
        return pool.preparedQuery(DUE_INCIDENTS).execute(Tuple.of(now.atOffset(ZoneOffset.UTC), BATCH))
                .chain(rows -> {
                    List<UUID> incidents = new ArrayList<>();
                    Instant oldest = null;
                    for (Row row : rows) {
                        incidents.add(row.getUUID("incident_id"));
                        oldest = row.getOffsetDateTime("oldest").toInstant();
                    }
                    metrics.oldestDueTimer(oldest == null ? Duration.ZERO : Duration.between(oldest, now));
                    return Multi.createFrom().iterable(incidents)
                            .onItem().transformToUniAndConcatenate(incident -> fireIncident(incident, now))
                            .collect().asList()
                            .map(outcomes -> new Round(incidents.size(), outcomes));
                })
                .invoke(round -> {
                    if (round.deferred() > 0 && round.deferred() == round.incidents()) {
                        // Nothing could be done (the database away): the round fails, and Rounds says so once.
                        throw new IllegalStateException(round.firstDeferred().getMessage(), round.firstDeferred());
                    }
                    if (round.deferred() > 0) {
                        LOG.warnf("the due timers of %d of %d incidents are left for the next tick: %s",
                                round.deferred(), round.incidents(), round.firstDeferred().getMessage());
                    }
                })
                .invoke(round -> {
                    if (round.fired() > 0) {
                        relay.kick();
                    }
                });
    }

    /**
     * Fires one incident's due timers in one transaction, each flushed as it fires so a failure is the timer's that
     * caused it. The incident's row is locked first, then its timers, the order every other writer of an incident
     * takes (a command, an alert), so a resolve racing the round waits instead of deadlocking; an incident locked by
     * another writer now is left for the next round ({@code SKIP LOCKED}). A transient failure
     * ({@link Failures#isTransient}: the database away, a conflict) costs no attempt and leaves the incident for the
     * next tick; any other costs the failing timer an attempt. Either way the round goes on with the next incident.
     */
    private Uni<Outcome> fireIncident(UUID incidentId, Instant now) {
        AtomicReference<TimerRecord> firing = new AtomicReference<>();
        return Uni.createFrom().deferred(() -> sessions.withTransaction((session, tx) -> session
                .find(IncidentRecord.class, incidentId, LockMode.UPGRADE_SKIPLOCKED)
                .chain(incident -> incident == null ? Uni.createFrom().item(Outcome.SKIPPED)
                        : claim(session, incidentId, now).chain(timers -> Multi.createFrom().iterable(timers)
                                .onItem().transformToUniAndConcatenate(timer -> {
                                    firing.set(timer);
                                    return escalations.fire(session, timer, now).call(session::flush);
                                })
                                .collect().asList()
                                .map(fired -> new Outcome(fired.size(), false, null))))))
                .onFailure(Failures::isTransient).recoverWithItem(failure -> new Outcome(0, false, failure))
                .onFailure(failure -> firing.get() != null)
                .recoverWithUni(failure -> recordFailure(firing.get(), failure, now)
                        .replaceWith(new Outcome(0, true, null)));
    }

    private static Uni<List<TimerRecord>> claim(Mutiny.Session session, UUID incidentId, Instant now) {
        return session.createSelectionQuery("from TimerRecord where incidentId = :incident and firedAt is null "
                + "and cancelledAt is null and failedAt is null and coalesce(retryAt, dueAt) <= :now "
                + "order by dueAt, id", TimerRecord.class)
                .setLockMode(LockMode.UPGRADE_SKIPLOCKED)
                .setParameter("incident", incidentId)
                .setParameter("now", now)
                .getResultList();
    }

    /** Counts the attempt on the timer (in a transaction of its own: the firing one rolled back), or gives it up. */
    private Uni<Void> recordFailure(TimerRecord failed, Throwable failure, Instant now) {
        String error = describe(failure);
        return sessions.withTransaction((session, tx) -> session.find(TimerRecord.class, failed.id,
                LockMode.PESSIMISTIC_WRITE).chain(timer -> {
                    if (timer == null || timer.firedAt != null || timer.cancelledAt != null
                            || timer.failedAt != null) {
                        return Uni.createFrom().voidItem();
                    }
                    timer.attempts++;
                    timer.lastError = error;
                    String what = describe(timer);
                    if (!retries.exhausted(timer.attempts)) {
                        timer.retryAt = retries.nextTry(timer.attempts, now);
                        LOG.warnf("escalation timer %d (%s of incident %s) failed (attempt %d of %d), trying again at "
                                + "%s: %s", timer.id, what, timer.incidentId, timer.attempts, retries.maxAttempts(),
                                timer.retryAt, error);
                        return Uni.createFrom().voidItem();
                    }
                    timer.failedAt = now;
                    metrics.timerFailed(timer.kind);
                    LOG.errorf(failure, "escalation timer %d (%s of incident %s) given up after %d attempts: %s",
                            timer.id, what, timer.incidentId, timer.attempts, error);
                    return events.note(session, timer.incidentId, "timer.failed", AlertIntake.SYSTEM, now,
                            "escalation stopped: the " + what + " timer could not fire after " + timer.attempts
                                    + " attempts (" + error + ")");
                }));
    }

    /** A failure as kept on the timer row and in logs: its type and message, short. */
    private static String describe(Throwable failure) {
        String text = failure.getClass().getSimpleName() + ": " + failure.getMessage();
        return text.length() > 500 ? text.substring(0, 500) + "…" : text;
    }

    private static String describe(TimerRecord timer) {
        return switch (timer.kind) {
            case TimerRecord.LEVEL -> "level " + (timer.level + 1) + (timer.cycle > 0
                    ? " (round " + (timer.cycle + 1) + ")"
                    : "");
            case TimerRecord.SLA -> "response SLA";
            case TimerRecord.WAKE -> "snooze end";
            default -> timer.kind;
        };
    }

    /** What became of one incident's due timers; {@code deferred}, the transient failure that left them for later. */
    record Outcome(int fired, boolean failed, Throwable deferred) {

        /** Locked by another writer (a command, another instance) at this moment: the next round takes it. */
        static final Outcome SKIPPED = new Outcome(0, false, null);
    }

    /** What one round did: how many incidents it took, how many timers fired. */
    record Round(int incidents, int fired, boolean anyFailed, int deferred, Throwable firstDeferred) {

        Round(int incidents, List<Outcome> outcomes) {
            this(incidents, outcomes.stream().mapToInt(Outcome::fired).sum(),
                    outcomes.stream().anyMatch(Outcome::failed),
                    (int) outcomes.stream().filter(outcome -> outcome.deferred() != null).count(),
                    outcomes.stream().map(Outcome::deferred).filter(failure -> failure != null).findFirst()
                            .orElse(null));
        }

        /**
         * A full round that fired something may have left due timers behind; after a failure, the failing timer waits
         * for its next try and its incident's other timers can fire at once. A round that only skipped (another
         * instance at work) or deferred waits for the next tick rather than spinning.
         */
        boolean more() {
            return anyFailed || incidents == BATCH && fired > 0;
        }
    }
}
