package io.tocsin.runbook.domain;

import java.time.Duration;

/**
 * What a step came to. {@code summary} is one line for the timeline, {@code output} what the step returned (a response
 * body, a query's samples), both with secrets already redacted. {@code retryable}: a failure that may pass (a 5xx, a
 * timeout); {@code retryAfter}: the wait the other side asked for, or null.
 */
public record StepResult(Outcome outcome, String summary, String output, boolean retryable, Duration retryAfter) {

    public static StepResult succeeded(String summary, String output) {
        return new StepResult(Outcome.SUCCEEDED, summary, output, false, null);
    }

    public static StepResult failed(String summary, String output) {
        return new StepResult(Outcome.FAILED, summary, output, false, null);
    }

    public static StepResult retryable(String summary, String output, Duration retryAfter) {
        return new StepResult(Outcome.FAILED, summary, output, true, retryAfter);
    }
}
