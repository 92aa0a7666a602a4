package io.tocsin.runbook.service;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import org.hibernate.LockMode;
import org.hibernate.reactive.mutiny.Mutiny;
import org.jboss.logging.Logger;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.tocsin.outbox.OutboxRelay;
import io.tocsin.outbox.Rounds;
import io.tocsin.runbook.config.RunbookSettings;
import io.tocsin.runbook.domain.StepResult;
import io.tocsin.runbook.metrics.RunbookMetrics;
import io.tocsin.runbook.persistence.RunRecord;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * Moves due runs on in rounds: a round claims due runs ({@code FOR UPDATE SKIP LOCKED}, so instances share the work),
 * moves each in a transaction of its own, then makes the calls their steps started and records each result in a
 * transaction of its own. A run that cannot move is left out of the rounds for a while, longer each time, so no number
 * of them keeps a round from reaching the others; after three failures in a row it is failed visibly.
 */
@ApplicationScoped
public class RunRounds {

    private static final Logger LOG = Logger.getLogger(RunRounds.class);
    private static final int BATCH = 50;
    /** Failures in a row after which a run is failed. */
    static final int ATTEMPTS = 3;
    private static final Duration MAX_PAUSE = Duration.ofSeconds(30);

    private final Mutiny.SessionFactory sessions;
    private final Runner runner;
    private final OutboxRelay relay;
    private final RunbookMetrics metrics;
    private final RunbookSettings config;
    private final Clock clock;
    private final Vertx vertx;
    private final Rounds rounds;
    /** Runs whose last moves failed: how often in a row, and when they may be tried again. */
    private final Map<UUID, Stuck> stuck = new ConcurrentHashMap<>();

    private record Stuck(int times, Instant notBefore) {
    }

    public RunRounds(Mutiny.SessionFactory sessions, Runner runner, OutboxRelay relay, RunbookMetrics metrics,
            RunbookSettings config, Clock clock, Vertx vertx) {
        this.sessions = sessions;
        this.runner = runner;
        this.relay = relay;
        this.metrics = metrics;
        this.config = config;
        this.clock = clock;
        this.vertx = vertx;
        this.rounds = new Rounds(vertx, "a runbook round", () -> round().map(claimed -> claimed == BATCH));
    }

    /** Looks for due runs: waits and approvals that ended, retries, calls cut off by a crash. */
    @Scheduled(every = "${tocsin.runbook.interval:1s}", delayed = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP, skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> tick() {
        return sessions.withSession(session -> session.createSelectionQuery(
                "select count(*) from RunRecord where state = 'running' and stepState = 'awaiting-approval'",
                Long.class).getSingleResult())
                .invoke(metrics::approvalsPending)
                .onFailure().invoke(failure -> LOG.warnf("counting pending approvals failed: %s", failure.getMessage()))
                .onFailure().recoverWithNull().replaceWithVoid().invoke(this::kick);
    }

    /** Runs a round now; a kick during a round makes it go round again. */
    public void kick() {
        rounds.kick();
    }

    /** Moves every due run on, each in a transaction of its own; emits how many were claimed. */
    Uni<Integer> round() {
        Instant now = clock.instant();
        Set<UUID> resting = Set.copyOf(stuck.entrySet().stream().filter(e -> e.getValue().notBefore().isAfter(now))
                .map(Map.Entry::getKey).toList());
        // Runs that failed to move just now are left out in SQL: a full batch of them would otherwise be claimed
        // round after round, ahead of every run behind them.
        return sessions.withSession(session -> {
            Mutiny.SelectionQuery<UUID> due = session.createSelectionQuery("select id from RunRecord where state = "
                    + "'running' and (nextAt <= :now or deadline <= :now)"
                    + (resting.isEmpty() ? "" : " and id not in :resting") + " order by nextAt, id", UUID.class)
                    .setParameter("now", now);
            return (resting.isEmpty() ? due : due.setParameter("resting", resting)).setMaxResults(BATCH)
                    .getResultList();
        })
                .chain(ids -> {
                    Uni<Void> chain = Uni.createFrom().voidItem();
                    for (UUID id : ids) {
                        chain = chain.call(() -> move(id, now));
                    }
                    return chain.replaceWith(ids.size());
                });
    }

    /** Moves one run on, unless another instance has it ({@code SKIP LOCKED}); a failure is counted, never thrown. */
    private Uni<Void> move(UUID id, Instant now) {
        List<Runner.Call> started = new ArrayList<>();
        return sessions.withTransaction((session, tx) -> session
                .createSelectionQuery("from RunRecord where id = :id and state = 'running'", RunRecord.class)
                .setParameter("id", id)
                .setLockMode(LockMode.UPGRADE_SKIPLOCKED)
                .getResultList()
                .chain(runs -> runs.isEmpty() ? Uni.createFrom().voidItem()
                        : runner.advance(session, runs.get(0), now, started)))
                .invoke(() -> {
                    stuck.remove(id);
                    relay.kick();
                    started.forEach(this::call);
                })
                .onFailure().recoverWithUni(failure -> {
                    int times = rest(id);
                    LOG.warnf("run %s could not move on (%d time(s)): %s", id, times, failure.toString());
                    return times < ATTEMPTS ? Uni.createFrom().voidItem() : broken(id, failure);
                });
    }

    /** Counts a failure of the run and leaves it out of the rounds for 1, 2, 4... seconds (30 at most). */
    private int rest(UUID id) {
        Instant now = clock.instant();
        Stuck after = stuck.compute(id, (key, before) -> {
            int times = before == null ? 1 : before.times() + 1;
            Duration pause = Duration.ofSeconds(1L << Math.min(times - 1, 5));
            return new Stuck(times, now.plus(pause.compareTo(MAX_PAUSE) > 0 ? MAX_PAUSE : pause));
        });
        return after.times();
    }

    /** Fails a run that could not move; if even that fails (its row cannot be written), it rests and is tried again. */
    private Uni<Void> broken(UUID id, Throwable failure) {
        return sessions.withTransaction((session, tx) -> session.find(RunRecord.class, id, LockMode.PESSIMISTIC_WRITE)
                .chain(run -> runner.fail(session, run, failure, clock.instant())))
                .invoke(() -> {
                    stuck.remove(id);
                    relay.kick();
                })
                .onFailure().invoke(f -> LOG.warnf("run %s: failing it failed too, trying again later: %s", id,
                        f.toString()))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    /** Makes a step's call outside any transaction, then records its result. */
    private void call(Runner.Call call) {
        Context context = Rounds.fresh(vertx);
        Uni.createFrom().deferred(() -> call.call().execute())
                .onFailure().recoverWithItem(failure -> StepResult.failed("could not be made: "
                        + failure.getClass().getSimpleName(), null))
                .emitOn(task -> context.runOnContext(ignored -> task.run()))
                .chain(result -> record(call, result)
                        .onFailure().retry().withBackOff(Duration.ofMillis(200), Duration.ofSeconds(5))
                        // Until the call would be taken for cut off: a result known is better than a guess.
                        .expireIn(config.inFlightGrace().toMillis()))
                .subscribe().with(ignored -> {
                }, failure -> LOG.warnf("run %s: recording step %d failed; it is found cut off later: %s",
                        call.runId(), call.index(), failure.getMessage()));
    }

    private Uni<Void> record(Runner.Call call, StepResult result) {
        return sessions.withTransaction((session, tx) -> session
                .find(RunRecord.class, call.runId(), LockMode.PESSIMISTIC_WRITE)
                .chain(run -> runner.record(session, run, call, result, clock.instant())))
                .invoke(() -> {
                    relay.kick();
                    kick();
                });
    }
}
