package io.tocsin.events;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** Which inbound door an alert came through. */
public enum AlertOrigin {
    /** The Alertmanager webhook receiver ({@code POST /api/v1/alerts/alertmanager}). */
    ALERTMANAGER("alertmanager"),
    /** The generic JSON door for other sources ({@code POST /api/v1/alerts}). */
    GENERIC("generic"),
    /** A value written by a newer producer that this reader does not know. */
    UNKNOWN("unknown");

    private final String wire;

    AlertOrigin(String wire) {
        this.wire = wire;
    }

    @JsonValue
    public String wire() {
        return wire;
    }

    /** Parses the wire form; anything unrecognised becomes {@link #UNKNOWN} so old readers keep working. */
    @JsonCreator
    public static AlertOrigin fromWire(String value) {
        for (AlertOrigin origin : values()) {
            if (origin.wire.equals(value)) {
                return origin;
            }
        }
        return UNKNOWN;
    }
}
