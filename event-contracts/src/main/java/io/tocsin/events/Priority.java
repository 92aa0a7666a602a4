package io.tocsin.events;

import com.fasterxml.jackson.annotation.JsonCreator;

/** An incident's urgency, P0 (drop everything) to P3 (during working hours). Lower ordinal is more urgent. */
public enum Priority {
    P0,
    P1,
    P2,
    P3,
    /** A value written by a newer producer that this reader does not know. */
    UNKNOWN;

    /** Parses {@code P0}..{@code P3}, any case; anything else becomes {@link #UNKNOWN}. */
    @JsonCreator
    public static Priority fromWire(String value) {
        if (value != null) {
            for (Priority priority : values()) {
                if (priority.name().equalsIgnoreCase(value.trim())) {
                    return priority;
                }
            }
        }
        return UNKNOWN;
    }

    /** Whether this is more urgent than {@code other}. */
    public boolean isHigherThan(Priority other) {
        return ordinal() < other.ordinal();
    }
}
