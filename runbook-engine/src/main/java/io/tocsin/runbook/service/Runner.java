package io.tocsin.runbook.service;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.hibernate.LockMode;
import org.hibernate.reactive.mutiny.Mutiny;
import org.jboss.logging.Logger;

import io.smallrye.mutiny.Uni;
import io.tocsin.events.RunbookEvent;
import io.tocsin.runbook.config.RunbookSettings;
import io.tocsin.runbook.domain.Durations;
import io.tocsin.runbook.domain.OnFailure;
import io.tocsin.runbook.domain.Outcome;
import io.tocsin.runbook.domain.Runbook;
import io.tocsin.runbook.domain.RunbookCatalog;
import io.tocsin.runbook.domain.Step;
import io.tocsin.runbook.domain.StepResult;
import io.tocsin.runbook.domain.Template;
import io.tocsin.runbook.domain.Trigger;
import io.tocsin.runbook.domain.Variables;
import io.tocsin.runbook.metrics.RunbookMetrics;
import io.tocsin.runbook.persistence.IncidentViewRecord;
import io.tocsin.runbook.persistence.RunRecord;
import io.tocsin.runbook.persistence.StepRecord;
import io.tocsin.runbook.step.PreparedCall;
import io.tocsin.runbook.step.Refused;
import io.tocsin.runbook.step.StepCalls;

/**
 * What a run does next, always in the caller's transaction: starts, approvals, cancellations, and moving a due run on.
 * A run's state is a row: the current step, whether it is due, waiting, awaiting approval or in flight, and when it is
 * next due. A step is marked {@code in-flight} before its call is made; every change commits with the events that
 * describe it. After a crash, a call still in flight past its timeout is made again only when the step is idempotent;
 * otherwise the step fails visibly, since nobody can tell whether it took effect. {@link RunRounds} decides when runs
 * move and in which transactions, and makes the calls.
 */
@ApplicationScoped
public class Runner {

    private static final Logger LOG = Logger.getLogger(Runner.class);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private final RunbookCatalog catalog;
    private final StepCalls calls;
    private final RunLog log;
    private final RunbookMetrics metrics;
    private final Secrets secrets;
    private final RunbookSettings config;

    public Runner(RunbookCatalog catalog, StepCalls calls, RunLog log, RunbookMetrics metrics, Secrets secrets,
            RunbookSettings config) {
        this.catalog = catalog;
        this.calls = calls;
        this.log = log;
        this.metrics = metrics;
        this.secrets = secrets;
        this.config = config;
    }

    /** Why a run did not start, or the run. */
    public record Started(RunRecord run, String refusal) {
    }

    /** A step's call to make once its run's transaction commits, outside any transaction. */
    record Call(UUID runId, int index, int attempt, PreparedCall call) {
    }

    /**
     * Starts {@code runbook} for the incident in the caller's transaction, unless it is resolved, a run of the runbook
     * is in progress for it, or the runbook already ran as often as it may. The first step is due at once.
     */
    public Uni<Started> start(Mutiny.Session session, Runbook runbook, IncidentViewRecord incident, Trigger trigger,
            String actor, boolean dryRunAsked, Instant now) {
        if ("resolved".equals(incident.state)) {
            return Uni.createFrom().item(new Started(null, "the incident is resolved"));
        }
        return session.createSelectionQuery("from RunRecord where incidentId = :incident and runbook = :runbook",
                RunRecord.class)
                .setParameter("incident", incident.incidentId).setParameter("runbook", runbook.name())
                .getResultList().chain(earlier -> {
                    boolean dryRun = config.dryRun() || Boolean.TRUE.equals(runbook.dryRun()) || dryRunAsked;
                    Optional<RunRecord> inProgress = earlier.stream()
                            .filter(r -> RunRecord.RUNNING.equals(r.state) && r.dryRun == dryRun).findFirst();
                    // Dry runs and real runs count separately: trying a runbook out must not use up its real runs.
                    long counted = earlier.stream().filter(r -> r.dryRun == dryRun).count();
                    if (inProgress.isPresent()) {
                        metrics.runSkipped(runbook.name(), "running");
                        return Uni.createFrom().item(new Started(null, "run " + inProgress.get().id + " of "
                                + runbook.name() + " is still in progress for this incident"));
                    }
                    if (counted >= runbook.maxRunsPerIncident()) {
                        metrics.runSkipped(runbook.name(), "limit");
                        return Uni.createFrom().item(new Started(null, runbook.name() + " already ran "
                                + counted + (dryRun ? " dry" : "") + " time(s) for this incident "
                                + "(max_runs_per_incident: " + runbook.maxRunsPerIncident() + ")"));
                    }
                    RunRecord run = new RunRecord();
                    run.id = UUID.randomUUID();
                    run.incidentId = incident.incidentId;
                    run.runbook = runbook.name();
                    run.definitionHash = runbook.hash();
                    run.trigger = trigger.wire();
                    run.startedBy = actor;
                    run.dryRun = dryRun;
                    run.cancelOnResolve = runbook.cancelOnResolve();
                    run.state = RunRecord.RUNNING;
                    run.stepIndex = 0;
                    run.stepState = RunRecord.DUE;
                    run.nextAt = now;
                    run.deadline = now.plus(runbook.timeout());
                    run.startedAt = now;
                    metrics.runStarted(runbook.name(), trigger.wire());
                    String summary = "started (" + trigger.wire() + (actor.startsWith("runbook:") ? "" : " by " + actor)
                            + "), " + runbook.steps().size() + " steps";
                    return session.persist(run)
                            .call(() -> log.run(session, run, RunbookEvent.Kind.RUN_STARTED, actor, summary, now))
                            .replaceWith(new Started(run, null));
                });
    }

    /**
     * Decides the approval a run waits for, in the caller's transaction. Emits null when decided, else why not (no such
     * run, not waiting for an approval, or waiting for another step's).
     */
    public Uni<String> decide(Mutiny.Session session, UUID runId, Integer stepIndex, boolean approve, String actor,
            String reason, Instant now) {
        return session.find(RunRecord.class, runId, LockMode.PESSIMISTIC_WRITE).chain(run -> {
            if (run == null) {
                return Uni.createFrom().item("no run has the id " + runId);
            }
            if (!RunRecord.RUNNING.equals(run.state) || !RunRecord.AWAITING_APPROVAL.equals(run.stepState)
                    || (stepIndex != null && stepIndex != run.stepIndex)) {
                return Uni.createFrom().item("run " + runId + " is not waiting for " + (stepIndex == null
                        ? "an approval"
                        : "the approval of step " + stepIndex) + " (it is " + run.state
                        + (RunRecord.RUNNING.equals(run.state) ? ", step " + run.stepIndex + " " + run.stepState : "")
                        + ")");
            }
            Optional<Runbook> runbook = definition(run);
            if (runbook.isEmpty()) {
                return changed(session, run, now).replaceWith("the runbook changed while the run waited");
            }
            Step step = runbook.get().steps().get(run.stepIndex);
            String summary = (approve ? "approved by " : "denied by ") + actor
                    + (reason == null || reason.isBlank() ? "" : ": " + reason);
            StepResult result = new StepResult(approve ? Outcome.APPROVED : Outcome.DENIED, summary, null, false,
                    null);
            return stepRow(session, run).chain(row -> finish(session, run, runbook.get(), step, row, result, null,
                    actor, now)).replaceWith((String) null);
        });
    }

    /** Cancels a run in the caller's transaction; emits null when cancelled, else why not. */
    public Uni<String> cancel(Mutiny.Session session, RunRecord run, String actor, String reason, Instant now) {
        if (!RunRecord.RUNNING.equals(run.state)) {
            return Uni.createFrom().item("run " + run.id + " already " + run.state);
        }
        String why = "cancelled by " + actor + (reason == null || reason.isBlank() ? "" : ": " + reason);
        return stepRow(session, run).chain(row -> stopStep(session, run, row, actor, why, now))
                .chain(() -> end(session, run, RunRecord.CANCELLED, actor, why, now))
                .replaceWith((String) null);
    }

    /**
     * Moves a due run (locked by the caller) as far as it goes without calling out, in the caller's transaction; the
     * calls to make once it commits are added to {@code started}.
     */
    Uni<Void> advance(Mutiny.Session session, RunRecord run, Instant now, List<Call> started) {
        if (!RunRecord.RUNNING.equals(run.state)) {
            return Uni.createFrom().voidItem();
        }
        if (!run.deadline.isAfter(now)) {
            return timedOut(session, run, now);
        }
        Optional<Runbook> found = definition(run);
        if (found.isEmpty()) {
            return changed(session, run, now);
        }
        Runbook runbook = found.get();
        Step step = runbook.steps().get(run.stepIndex);
        Uni<Void> moved = switch (run.stepState) {
            case RunRecord.DUE -> begin(session, run, runbook, step, now, started);
            case RunRecord.WAITING -> stepRow(session, run).chain(row -> finish(session, run, runbook, step, row,
                    StepResult.succeeded("waited " + Durations.human(((Step.Wait) step).duration()), null), null,
                    RunLog.engine(run.runbook), now));
            case RunRecord.AWAITING_APPROVAL -> stepRow(session, run).chain(row -> finish(session, run, runbook, step,
                    row, new StepResult(Outcome.TIMED_OUT, "nobody approved or denied it within "
                            + Durations.human(((Step.Approval) step).timeout()), null, false, null),
                    null, RunLog.engine(run.runbook), now));
            case RunRecord.IN_FLIGHT -> cutOff(session, run, runbook, step, now);
            default -> Uni.createFrom().voidItem();
        };
        return moved.chain(() -> RunRecord.RUNNING.equals(run.state) && RunRecord.DUE.equals(run.stepState)
                && !run.nextAt.isAfter(now) ? advance(session, run, now, started) : Uni.createFrom().voidItem());
    }

    /** Starts the current step: finishes it at once when it needs no call or waiting, else sets it waiting or in flight. */
    private Uni<Void> begin(Mutiny.Session session, RunRecord run, Runbook runbook, Step step, Instant now,
            List<Call> started) {
        run.attempt++;
        return session.find(IncidentViewRecord.class, run.incidentId).chain(view -> stepRow(session, run)
                .chain(existing -> {
                    StepRecord row = existing;
                    Uni<Void> saved = Uni.createFrom().voidItem();
                    if (row == null) {
                        row = new StepRecord();
                        row.runId = run.id;
                        row.stepIndex = run.stepIndex;
                        row.name = step.name();
                        row.kind = step.kind();
                        row.startedAt = now;
                        StepRecord created = row;
                        saved = session.persist(created);
                    }
                    row.state = "running";
                    row.attempts = run.attempt;
                    StepRecord current = row;
                    Variables variables = new Variables(view.incidentId, view.title, view.priority, view.service,
                            view.state, view.labels, view.annotations, run.id, run.runbook, now,
                            // A dry run sends nothing, so it needs no secret: it records the placeholder.
                            run.dryRun ? name -> "[secret " + name + "]" : secrets::value);
                    return saved.chain(() -> run(session, run, runbook, step, current, variables, now, started));
                }));
    }

    private Uni<Void> run(Mutiny.Session session, RunRecord run, Runbook runbook, Step step, StepRecord row,
            Variables variables, Instant now, List<Call> started) {
        String engine = RunLog.engine(run.runbook);
        boolean first = run.attempt == 1;
        try {
            if (step instanceof Step.Wait wait) {
                if (run.dryRun) {
                    return finish(session, run, runbook, step, row, StepResult.succeeded("would wait "
                            + Durations.human(wait.duration()) + "; a dry run goes straight on", null), null, engine, now);
                }
                run.stepState = RunRecord.WAITING;
                run.nextAt = now.plus(wait.duration());
                return log.step(session, run, RunbookEvent.Kind.STEP_STARTED, run.stepIndex, step.name(),
                        step.kind(), engine, "waiting " + Durations.human(wait.duration()), now, null);
            }
            if (step instanceof Step.Approval approval) {
                String question = approval.message().render(variables.values(), Template.Encoding.PLAIN);
                row.input = question;
                if (run.dryRun) {
                    return finish(session, run, runbook, step, row, new StepResult(Outcome.APPROVED,
                            "would ask \"" + question + "\"; a dry run takes it as approved", null, false, null),
                            null, engine, now);
                }
                run.stepState = RunRecord.AWAITING_APPROVAL;
                run.nextAt = now.plus(approval.timeout());
                return log.step(session, run, RunbookEvent.Kind.APPROVAL_REQUESTED, run.stepIndex, step.name(),
                        step.kind(), engine, question, now, run.nextAt);
            }
            if (step instanceof Step.Notify notify) {
                String text = notify.message().render(variables.values(), Template.Encoding.PLAIN);
                row.input = text;
                if (run.dryRun) {
                    return finish(session, run, runbook, step, row, StepResult.succeeded("would post: " + text,
                            null), null, engine, now);
                }
                return log.note(session, run, run.stepIndex, text, now).chain(() -> finish(session, run, runbook,
                        step, row, StepResult.succeeded("posted: " + text, null), null, engine, now));
            }
            if (step instanceof Step.Branch branch) {
                return session.createSelectionQuery("from StepRecord where runId = :run and name = :name",
                        StepRecord.class)
                        .setParameter("run", run.id).setParameter("name", branch.ifStep()).getResultList()
                        .chain(rows -> {
                            Outcome outcome = rows.isEmpty() ? null : Outcome.fromWire(rows.get(0).state);
                            boolean holds = outcome != null && outcome.satisfies(branch.ifOutcome());
                            String target = holds ? branch.then() : branch.otherwise();
                            String summary = "step " + branch.ifStep() + " "
                                    + (outcome == null ? "did not run" : outcome.wire()) + ", so "
                                    + (holds ? "" : "not ") + branch.ifOutcome().wire() + ": going to "
                                    + (target == null ? "the next step" : target);
                            row.input = "if " + branch.ifStep() + " " + branch.ifOutcome().wire();
                            return finish(session, run, runbook, step, row, StepResult.succeeded(summary, null),
                                    target, engine, now);
                        });
            }
            PreparedCall call = calls.prepare(step, variables);
            row.input = call.describe();
            String what = call.describe().lines().findFirst().orElse(step.kind());
            if (run.dryRun) {
                return finish(session, run, runbook, step, row, StepResult.succeeded("would " + what, null),
                        null, engine, now);
            }
            run.stepState = RunRecord.IN_FLIGHT;
            run.nextAt = now.plus(timeout(step)).plus(config.inFlightGrace());
            started.add(new Call(run.id, run.stepIndex, run.attempt, call));
            return first ? log.step(session, run, RunbookEvent.Kind.STEP_STARTED, run.stepIndex, step.name(),
                    step.kind(), engine, what, now, null) : Uni.createFrom().voidItem();
        } catch (Template.MissingValue e) {
            return finish(session, run, runbook, step, row, StepResult.failed("{{" + e.variable()
                    + "}} has no value for this incident", null), null, engine, now);
        } catch (Template.UnsafeValue e) {
            return finish(session, run, runbook, step, row, StepResult.failed("refused: " + e.getMessage(), null),
                    null, engine, now);
        } catch (Refused e) {
            return finish(session, run, runbook, step, row, StepResult.failed("refused: " + e.getMessage(), null),
                    null, engine, now);
        }
    }

    /** A call found still in flight past its timeout: its instance stopped during the call. */
    private Uni<Void> cutOff(Mutiny.Session session, RunRecord run, Runbook runbook, Step step, Instant now) {
        boolean idempotent = step instanceof Step.Http http ? http.idempotent()
                : !(step instanceof Step.Shell shell) || shell.idempotent();
        return stepRow(session, run).chain(row -> {
            if (idempotent && run.attempt <= retries(step)) {
                LOG.infof("run %s: step %s attempt %d was cut off; the step is idempotent, so it is made again", run.id,
                        step.name(), run.attempt);
                row.output = "attempt " + run.attempt + " was cut off by a restart";
                run.stepState = RunRecord.DUE;
                run.nextAt = now;
                return Uni.createFrom().voidItem();
            }
            String why = idempotent ? "it has no retries left"
                    : "the step is not idempotent (idempotent: true allows it)";
            return finish(session, run, runbook, step, row, StepResult.failed("cut off by a restart during attempt "
                    + run.attempt + "; whether it took effect is unknown, and it is not made again because " + why,
                    null), null, RunLog.engine(run.runbook), now);
        });
    }

    /**
     * Records a call's result on its run (locked by the caller), unless the run moved on meanwhile (cancelled, timed out,
     * found cut off).
     */
    Uni<Void> record(Mutiny.Session session, RunRecord run, Call call, StepResult result, Instant now) {
        if (run == null || !RunRecord.RUNNING.equals(run.state) || run.stepIndex != call.index()
                || !RunRecord.IN_FLIGHT.equals(run.stepState) || run.attempt != call.attempt()) {
            LOG.infof("run %s: step %d attempt %d ended (%s) after the run moved on; not recorded", call.runId(),
                    call.index(), call.attempt(), result.summary());
            return Uni.createFrom().voidItem();
        }
        Optional<Runbook> runbook = definition(run);
        if (runbook.isEmpty()) {
            return changed(session, run, now);
        }
        Step step = runbook.get().steps().get(run.stepIndex);
        return stepRow(session, run).chain(row -> {
            if (result.retryable() && run.attempt <= retries(step)) {
                Duration wait = result.retryAfter() != null ? result.retryAfter() : backoff(run.attempt);
                LOG.infof("run %s: step %s attempt %d: %s; again in %d s", run.id, step.name(), run.attempt,
                        result.summary(), wait.toSeconds());
                row.output = result.output() == null ? result.summary() : result.output();
                run.stepState = RunRecord.DUE;
                run.nextAt = now.plus(wait);
                return Uni.createFrom().voidItem();
            }
            return finish(session, run, runbook.get(), step, row, result, null, RunLog.engine(run.runbook), now);
        });
    }

    /** Fails a run the engine could not move on (a bug, a definition it cannot run), in the caller's transaction. */
    Uni<Void> fail(Mutiny.Session session, RunRecord run, Throwable failure, Instant now) {
        if (run == null || !RunRecord.RUNNING.equals(run.state)) {
            return Uni.createFrom().voidItem();
        }
        return end(session, run, RunRecord.FAILED, RunLog.engine(run.runbook), "the engine could not go on with this "
                + "run: " + failure.getClass().getSimpleName()
                + (failure.getMessage() == null ? "" : ": " + failure.getMessage()), now);
    }

    /** Ends the current step with {@code result}, then moves to the next step (or {@code jump}), or ends the run. */
    private Uni<Void> finish(Mutiny.Session session, RunRecord run, Runbook runbook, Step step, StepRecord row,
            StepResult result, String jump, String actor, Instant now) {
        Outcome outcome = result.outcome();
        if (row != null) {
            row.state = outcome.wire();
            row.output = result.output();
            row.finishedAt = now;
            if (step instanceof Step.Approval) {
                row.actor = actor;
            }
            metrics.step(run.runbook, step.kind(), outcome.wire(), Duration.between(row.startedAt, now));
        }
        RunbookEvent.Kind kind = switch (outcome) {
            case APPROVED -> RunbookEvent.Kind.APPROVED;
            case DENIED -> RunbookEvent.Kind.DENIED;
            case TIMED_OUT -> RunbookEvent.Kind.APPROVAL_TIMED_OUT;
            case SUCCEEDED -> RunbookEvent.Kind.STEP_SUCCEEDED;
            case FAILED -> RunbookEvent.Kind.STEP_FAILED;
        };
        String summary = result.summary() + (run.attempt > 1 ? " (attempt " + run.attempt + ")" : "");
        Uni<Void> recorded = log.step(session, run, kind, run.stepIndex, step.name(), step.kind(), actor, summary,
                now, null);
        if (!outcome.ok() && step.onFailure() == OnFailure.STOP) {
            return recorded.chain(() -> end(session, run, RunRecord.FAILED, RunLog.engine(run.runbook),
                    "step " + step.name() + " " + outcome.wire() + ": " + summary, now));
        }
        int next = jump == null ? run.stepIndex + 1
                : "end".equals(jump) ? runbook.steps().size()
                        : runbook.indexOf(jump);
        if (next >= runbook.steps().size()) {
            return recorded.chain(() -> end(session, run, RunRecord.SUCCEEDED, RunLog.engine(run.runbook),
                    "finished after step " + step.name(), now));
        }
        run.stepIndex = next;
        run.stepState = RunRecord.DUE;
        run.attempt = 0;
        run.nextAt = now;
        return recorded;
    }

    private Uni<Void> end(Mutiny.Session session, RunRecord run, String state, String actor, String summary,
            Instant now) {
        run.state = state;
        run.stepState = RunRecord.DONE;
        run.finishedAt = now;
        run.result = summary;
        metrics.runFinished(run.runbook, state);
        RunbookEvent.Kind kind = switch (state) {
            case RunRecord.SUCCEEDED -> RunbookEvent.Kind.RUN_SUCCEEDED;
            case RunRecord.CANCELLED -> RunbookEvent.Kind.RUN_CANCELLED;
            default -> RunbookEvent.Kind.RUN_FAILED;
        };
        LOG.infof("run %s of %s for incident %s %s: %s", run.id, run.runbook, run.incidentId, state, summary);
        return log.run(session, run, kind, actor, summary, now);
    }

    private Uni<Void> timedOut(Mutiny.Session session, RunRecord run, Instant now) {
        String why = "timed out after " + Durations.human(Duration.between(run.startedAt, run.deadline));
        return stepRow(session, run).chain(row -> stopStep(session, run, row, RunLog.engine(run.runbook),
                "the run " + why, now)
                .chain(() -> end(session, run, RunRecord.FAILED, RunLog.engine(run.runbook), why + " during step "
                        + (row == null ? run.stepIndex : row.name), now)));
    }

    /**
     * Ends the step a run stopped in: its row failed, and a step event, so the timeline (and a Slack approval request)
     * says the step will not go on.
     */
    private Uni<Void> stopStep(Mutiny.Session session, RunRecord run, StepRecord row, String actor, String why,
            Instant now) {
        if (row == null || !"running".equals(row.state)) {
            return Uni.createFrom().voidItem();
        }
        row.state = Outcome.FAILED.wire();
        row.output = why;
        row.finishedAt = now;
        return log.step(session, run, RunbookEvent.Kind.STEP_FAILED, row.stepIndex, row.name, row.kind, actor, why,
                now, null);
    }

    private Uni<Void> changed(Mutiny.Session session, RunRecord run, Instant now) {
        return stepRow(session, run).chain(row -> {
            if (row != null && "running".equals(row.state)) {
                row.state = Outcome.FAILED.wire();
                row.finishedAt = now;
            }
            return end(session, run, RunRecord.FAILED, RunLog.engine(run.runbook),
                    "the runbook was changed or removed while this run was in progress; it stops rather than run "
                            + "steps it was not started with",
                    now);
        });
    }

    /** The runbook exactly as the run was started with, if it is still loaded. */
    private Optional<Runbook> definition(RunRecord run) {
        return catalog.named(run.runbook).filter(r -> r.hash().equals(run.definitionHash));
    }

    private Uni<StepRecord> stepRow(Mutiny.Session session, RunRecord run) {
        return session.createSelectionQuery("from StepRecord where runId = :run and stepIndex = :index",
                StepRecord.class)
                .setParameter("run", run.id).setParameter("index", run.stepIndex).getResultList()
                .map(rows -> rows.isEmpty() ? null : rows.get(0));
    }

    private static Duration timeout(Step step) {
        if (step instanceof Step.Http http) {
            return http.timeout();
        }
        if (step instanceof Step.PrometheusQuery query) {
            return query.timeout();
        }
        return step instanceof Step.Shell shell ? shell.timeout() : Duration.ZERO;
    }

    private static int retries(Step step) {
        if (step instanceof Step.Http http) {
            return http.retries();
        }
        if (step instanceof Step.Shell shell) {
            return shell.idempotent() ? 1 : 0;
        }
        return step instanceof Step.PrometheusQuery query ? query.retries() : 0;
    }

    private static Duration backoff(int attempt) {
        Duration wait = Duration.ofSeconds(1L << Math.min(attempt - 1, 5));
        return wait.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : wait;
    }

}
