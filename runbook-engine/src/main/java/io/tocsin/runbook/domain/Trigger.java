package io.tocsin.runbook.domain;

/** When a runbook starts by itself. */
public enum Trigger {
    /** When its incident opens (with the first alert's labels known). */
    OPENED("opened"),
    /** When its incident first reaches the runbook's minimum priority, at opening or later. */
    PRIORITY("priority"),
    /** Only when someone starts it through the API. */
    MANUAL("manual");

    private final String wire;

    Trigger(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    /** The trigger named {@code value}, or null. */
    public static Trigger fromWire(String value) {
        for (Trigger trigger : values()) {
            if (trigger.wire.equals(value)) {
                return trigger;
            }
        }
        return null;
    }
}
