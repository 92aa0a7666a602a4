package io.tocsin.runbook.domain;

/** How a step ended. Approval steps end approved, denied or timed out; the others succeeded or failed. */
public enum Outcome {
    SUCCEEDED("succeeded"),
    FAILED("failed"),
    APPROVED("approved"),
    DENIED("denied"),
    TIMED_OUT("timed-out");

    private final String wire;

    Outcome(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    /** Whether the run may go on as after a success. */
    public boolean ok() {
        return this == SUCCEEDED || this == APPROVED;
    }

    /** The outcome named {@code value}, or null. */
    public static Outcome fromWire(String value) {
        for (Outcome outcome : values()) {
            if (outcome.wire.equals(value)) {
                return outcome;
            }
        }
        return null;
    }

    /**
     * Whether this outcome satisfies a branch condition naming {@code wanted}: {@code succeeded} also takes an approval,
     * {@code failed} also a denial or a time-out; the others match exactly.
     */
    public boolean satisfies(Outcome wanted) {
        return switch (wanted) {
            case SUCCEEDED -> ok();
            case FAILED -> !ok();
            default -> this == wanted;
        };
    }
}
