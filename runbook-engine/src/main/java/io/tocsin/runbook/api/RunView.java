package io.tocsin.runbook.api;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.tocsin.runbook.persistence.RunRecord;
import io.tocsin.runbook.persistence.StepRecord;

/** A run as the API shows it; {@code steps} only when one run is asked for. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunView(UUID id, UUID incidentId, String runbook, String state, String trigger, String startedBy,
        boolean dryRun, Integer currentStep, String currentStepState, Instant waitingUntil, Instant startedAt,
        Instant deadline, Instant finishedAt, String result, List<StepView> steps) {

    /** One step a run reached. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record StepView(int index, String name, String kind, String state, int attempts, String input,
            String output, String actor, Instant startedAt, Instant finishedAt) {
        static StepView of(StepRecord step) {
            return new StepView(step.stepIndex, step.name, step.kind, step.state, step.attempts, step.input,
                    step.output, step.actor, step.startedAt, step.finishedAt);
        }
    }

    static RunView of(RunRecord run, List<StepRecord> steps) {
        boolean running = RunRecord.RUNNING.equals(run.state);
        boolean waiting = running && (RunRecord.WAITING.equals(run.stepState)
                || RunRecord.AWAITING_APPROVAL.equals(run.stepState));
        return new RunView(run.id, run.incidentId, run.runbook, run.state, run.trigger, run.startedBy, run.dryRun,
                running ? run.stepIndex : null, running ? run.stepState : null, waiting ? run.nextAt : null,
                run.startedAt, run.deadline, run.finishedAt, run.result,
                steps == null ? null : steps.stream().map(StepView::of).toList());
    }
}
