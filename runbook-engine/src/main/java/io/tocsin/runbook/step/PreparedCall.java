package io.tocsin.runbook.step;

import io.smallrye.mutiny.Uni;
import io.tocsin.runbook.domain.StepResult;

/**
 * A step's call to the outside world, with its templates filled in, ready to make.
 *
 * @param describe what it will do, secrets redacted: the step's recorded input, and a dry run's "would ..."
 * @param execute the call, made when subscribed to (again on each subscription); never fails, a failure is a
 *        {@link StepResult}
 */
public record PreparedCall(String describe, Uni<StepResult> execute) {
}
