package io.tocsin.events;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** Whether an alert was firing or resolved when its source reported it. */
public enum AlertStatus {
    FIRING("firing"),
    RESOLVED("resolved"),
    /** A value written by a newer producer that this reader does not know. */
    UNKNOWN("unknown");

    private final String wire;

    AlertStatus(String wire) {
        this.wire = wire;
    }

    @JsonValue
    public String wire() {
        return wire;
    }

    /** Parses the wire form; anything unrecognised becomes {@link #UNKNOWN} so old readers keep working. */
    @JsonCreator
    public static AlertStatus fromWire(String value) {
        for (AlertStatus status : values()) {
            if (status.wire.equals(value)) {
                return status;
            }
        }
        return UNKNOWN;
    }
}
