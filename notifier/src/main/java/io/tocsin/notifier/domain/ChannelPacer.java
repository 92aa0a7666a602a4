package io.tocsin.notifier.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * Keeps messages to one Slack channel at least {@code interval} apart (Slack allows about one per second per channel),
 * and holds a channel back for as long as a 429's {@code Retry-After} says.
 */
public final class ChannelPacer {

    private final Duration interval;
    private final Map<String, Instant> nextFree = new HashMap<>();
    private final Map<String, String> ids = new HashMap<>();

    public ChannelPacer(Duration interval) {
        this.interval = interval;
    }

    /** Takes the channel's slot if it is free at {@code now} and returns null; else returns when it will be free. */
    public synchronized Instant acquire(String channel, Instant now) {
        return acquire(channel, now, now);
    }

    /**
     * As {@link #acquire(String, Instant)}, deciding at {@code decidedAt} (a delivery round's one instant, so that
     * whatever the round takes first gets a slot that came free during the round) but reserving the slot from
     * {@code now}, when the call goes: two calls never go less than the interval apart.
     */
    public synchronized Instant acquire(String channel, Instant decidedAt, Instant now) {
        channel = ids.getOrDefault(channel, channel);
        Instant free = nextFree.get(channel);
        if (free != null && decidedAt.isBefore(free)) {
            return free;
        }
        nextFree.put(channel, (now.isAfter(decidedAt) ? now : decidedAt).plus(interval));
        return null;
    }

    /** Slack said to wait: nothing goes to the channel before {@code until}. */
    public synchronized void holdUntil(String channel, Instant until) {
        nextFree.merge(ids.getOrDefault(channel, channel), until, (a, b) -> a.isAfter(b) ? a : b);
    }

    /**
     * Learns that a channel name ({@code #db-oncall}) is the channel with this id, as Slack's answer to a post says:
     * both then share one pace, and the slot the post took under its name now holds for the id.
     */
    public synchronized void learn(String name, String id) {
        if (name == null || id == null || name.equals(id)) {
            return;
        }
        ids.put(name, id);
        Instant byName = nextFree.remove(name);
        if (byName != null) {
            nextFree.merge(id, byName, (a, b) -> a.isAfter(b) ? a : b);
        }
    }
}
