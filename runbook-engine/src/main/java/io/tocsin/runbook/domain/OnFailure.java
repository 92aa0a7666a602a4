package io.tocsin.runbook.domain;

/** What a failed step does to its run. */
public enum OnFailure {
    /** The run fails (the default). */
    STOP,
    /** The run goes on with the next step; a later branch can look at the outcome. */
    CONTINUE
}
