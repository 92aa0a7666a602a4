package io.tocsin.notifier.domain;

import java.time.Duration;

/**
 * Exponential backoff with jitter: the wait after attempt {@code n} is {@code first * 2^(n-1)}, capped, then scaled
 * by a random factor in [0.5, 1) so that many deliveries failing together do not retry together.
 */
public record Backoff(Duration first, Duration max) {

    /** The wait after the given attempt (1 for the first), with {@code random} in [0, 1). */
    public Duration after(int attempt, double random) {
        long firstMillis = first.toMillis();
        long maxMillis = max.toMillis();
        int doublings = Math.min(Math.max(attempt - 1, 0), 30);
        long base = firstMillis > (maxMillis >> doublings) ? maxMillis : Math.min(maxMillis, firstMillis << doublings);
        return Duration.ofMillis(Math.max(1, (long) (base * (0.5 + random / 2))));
    }
}
