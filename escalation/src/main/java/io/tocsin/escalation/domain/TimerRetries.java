package io.tocsin.escalation.domain;

import java.time.Duration;
import java.time.Instant;

/**
 * How often a timer whose firing fails is tried again, and when: the wait doubles from {@code firstBackoff} up to
 * {@code maxBackoff}; after {@code maxAttempts} failures the timer is given up as failed. Only failures that would
 * happen again count; a passing database outage is not an attempt.
 */
public record TimerRetries(int maxAttempts, Duration firstBackoff, Duration maxBackoff) {

    public TimerRetries {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, not " + maxAttempts);
        }
    }

    /** Whether a timer that has failed {@code attempts} times is given up. */
    public boolean exhausted(int attempts) {
        return attempts >= maxAttempts;
    }

    /** When a timer that has now failed {@code attempts} times (at least one) is tried again. */
    public Instant nextTry(int attempts, Instant now) {
        Duration wait = firstBackoff;
        for (int i = 1; i < attempts && wait.compareTo(maxBackoff) < 0; i++) {
            wait = wait.multipliedBy(2);
        }
        return now.plus(wait.compareTo(maxBackoff) > 0 ? maxBackoff : wait);
    }
}
