package io.tocsin.runbook.domain;

import java.time.Duration;
import java.util.List;

/**
 * A runbook as its file defines it. {@code dryRun} null means the engine's default. {@code hash} identifies this exact
 * definition: a run whose runbook changed underneath it fails instead of running steps it was not started with.
 */
public record Runbook(String name, String file, String description, RunbookMatch match, Trigger trigger,
        Boolean dryRun, Duration timeout, int maxRunsPerIncident, boolean cancelOnResolve, List<Step> steps,
        String hash) {

    public Runbook {
        steps = List.copyOf(steps);
    }

    /** The position of the step named {@code name}, or -1. */
    public int indexOf(String name) {
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i).name().equals(name)) {
                return i;
            }
        }
        return -1;
    }
}
