package io.tocsin.outbox;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The records a consumer is retrying now after a transient failure, each holding its partition: which channel (or
 * kind of record) and since when. Filled and emptied by {@link Failures#applyOrDeadLetter}; read by the readiness
 * check. Thread-safe.
 */
public final class HeldRecords {

    private record Hold(String channel, long sinceNanos) {
    }

    private final Map<Object, Hold> holds = new ConcurrentHashMap<>();
    private final LongSupplier nanoTime;

    HeldRecords() {
        this(System::nanoTime);
    }

    HeldRecords(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
    }

    /** Marks the record behind {@code token} held, from the first call on. */
    void hold(Object token, String channel) {
        holds.computeIfAbsent(token, ignored -> new Hold(channel, nanoTime.getAsLong()));
    }

    /** The record behind {@code token} applied, was dead-lettered, or its stream ended. */
    void release(Object token) {
        holds.remove(token);
    }

    /** For each channel with a record held longer than {@code atLeast}: how long its oldest has been held. */
    public Map<String, Duration> heldLongerThan(Duration atLeast) {
        long now = nanoTime.getAsLong();
        Map<String, Duration> longest = new TreeMap<>();
        for (Hold hold : holds.values()) {
            Duration held = Duration.ofNanos(now - hold.sinceNanos());
            if (held.compareTo(atLeast) >= 0) {
                longest.merge(hold.channel(), held, (a, b) -> a.compareTo(b) >= 0 ? a : b);
            }
        }
        return longest;
    }
}
