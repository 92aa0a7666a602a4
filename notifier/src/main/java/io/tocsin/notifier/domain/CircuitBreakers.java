package io.tocsin.notifier.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * One circuit breaker per destination: after {@code threshold} failures in a row it opens, and holds that
 * destination's deliveries back for {@code openFor}; then one attempt goes through, and closes it on success or opens
 * it again on failure. A dead webhook receiver thus costs one attempt per period, not one per delivery.
 */
public final class CircuitBreakers {

    private final int threshold;
    private final Duration openFor;
    private final Map<String, State> states = new HashMap<>();

    public CircuitBreakers(int threshold, Duration openFor) {
        this.threshold = threshold;
        this.openFor = openFor;
    }

    /** When {@code destination} may be tried again; null when it may be tried now. Letting one through re-arms it. */
    public synchronized Instant heldUntil(String destination, Instant now) {
        State state = states.get(destination);
        if (state == null || state.openUntil == null) {
            return null;
        }
        if (now.isBefore(state.openUntil)) {
            return state.openUntil;
        }
        // Half-open: this attempt is the trial; the others wait for its result.
        state.openUntil = now.plus(openFor);
        return null;
    }

    public synchronized void succeeded(String destination) {
        states.remove(destination);
    }

    /** Records a failure; returns true when this failure opened the breaker. */
    public synchronized boolean failed(String destination, Instant now) {
        State state = states.computeIfAbsent(destination, d -> new State());
        state.failures++;
        if (state.failures >= threshold) {
            state.openUntil = now.plus(openFor);
        }
        return state.failures == threshold;
    }

    /** Whether the breaker of {@code destination} is open at {@code now}. */
    public synchronized boolean isOpen(String destination, Instant now) {
        State state = states.get(destination);
        return state != null && state.openUntil != null && now.isBefore(state.openUntil);
    }

    private static final class State {
        int failures;
        Instant openUntil;
    }
}
