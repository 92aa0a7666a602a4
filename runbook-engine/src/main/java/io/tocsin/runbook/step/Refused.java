package io.tocsin.runbook.step;

/** A step that may not be made at all: a host off the allowlist, a program not allowed. Never retried. */
public final class Refused extends RuntimeException {

    public Refused(String message) {
        super(message);
    }
}
