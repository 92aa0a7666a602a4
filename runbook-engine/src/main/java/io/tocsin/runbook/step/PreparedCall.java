package io.tocsin.runbook.step;

import io.smallrye.mutiny.Uni;
import io.tocsin.runbook.domain.StepResult;

/** A step's call to the outside world, with its templates filled in, ready to make. */
public interface PreparedCall {

    /** What it will do, secrets redacted: the step's recorded input, and a dry run's "would ...". */
    String describe();

    /** Makes the call; never fails, a failure is a {@link StepResult}. */
    Uni<StepResult> execute();
}
