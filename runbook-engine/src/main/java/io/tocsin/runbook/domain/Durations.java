package io.tocsin.runbook.domain;

import java.time.Duration;

/** Durations as people read them on a timeline: {@code 2 min}, {@code 1 h}, {@code 90 s}, {@code 500 ms}. */
public final class Durations {

    private Durations() {
    }

    public static String human(Duration duration) {
        long seconds = duration.toSeconds();
        if (seconds == 0 && !duration.isZero()) {
            return duration.toMillis() + " ms";
        }
        if (seconds % 3600 == 0 && seconds > 0) {
            return seconds / 3600 + " h";
        }
        if (seconds % 60 == 0 && seconds > 0) {
            return seconds / 60 + " min";
        }
        return seconds + " s";
    }
}
