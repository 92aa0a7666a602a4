package io.tocsin.escalation.metrics;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * Every meter escalation publishes. Tags are low-cardinality: priority (4 values), policy names (from the policy file),
 * level numbers, consumer channels. Counted when the change is made; a transaction retried after a conflict with
 * another instance may count an opened incident twice.
 */
@ApplicationScoped
public class EscalationMetrics {

    private final MeterRegistry registry;
    private final Map<List<String>, Counter> counters = new ConcurrentHashMap<>();
    private final Map<List<String>, Timer> timers = new ConcurrentHashMap<>();

    private final AtomicLong oldestDueMillis = new AtomicLong();

    public EscalationMetrics(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder("tocsin.escalation.timers.overdue", oldestDueMillis, millis -> millis.get() / 1000.0)
                .description("How long the oldest due escalation timer has waited past its due time")
                .baseUnit("seconds").register(registry);
    }

    public void incidentOpened(String priority) {
        counter("tocsin.escalation.incidents.opened", "Incidents opened (reopened ones not counted again)",
                "priority", priority).increment();
    }

    public void incidentResolved(String priority, Duration sinceOpened) {
        counter("tocsin.escalation.incidents.resolved", "Incidents resolved", "priority", priority).increment();
        timer("tocsin.escalation.time.to.resolve", "Time from opening to resolution (MTTR)", "priority", priority)
                .record(sinceOpened);
    }

    public void incidentAcknowledged(String priority, Duration sinceOpened) {
        timer("tocsin.escalation.time.to.acknowledge", "Time from opening to acknowledgement (MTTA)", "priority",
                priority).record(sinceOpened);
    }

    public void levelFired(String policy, int level) {
        counter("tocsin.escalation.levels.fired", "Escalation levels fired (level 0 is the first page)", "policy",
                policy, "level", Integer.toString(level)).increment();
    }

    public void slaBreached(String priority) {
        counter("tocsin.escalation.sla.breached", "Incidents not acknowledged within their response SLA", "priority",
                priority).increment();
    }

    /** How late a timer fired after it was due (level, sla or wake): the health of the timer loop. */
    public void timerLag(String kind, Duration lag) {
        timer("tocsin.escalation.timer.lag", "Delay between a timer's due time and its firing", "kind", kind)
                .record(lag.isNegative() ? Duration.ZERO : lag);
    }

    /**
     * How overdue the oldest due timer not yet fired is, as each round of the timer loop begins: grows while timers
     * wait (a stuck or slow loop, a timer being retried), where the lag above only shows timers that did fire.
     */
    public void oldestDueTimer(Duration overdue) {
        oldestDueMillis.set(overdue.isNegative() ? 0 : overdue.toMillis());
    }

    /** A timer given up after its attempts: its incident escalates no further by it. */
    public void timerFailed(String kind) {
        counter("tocsin.escalation.timers.failed", "Escalation timers given up after failing every attempt", "kind",
                kind).increment();
    }

    /**
     * Alert deliveries applied (or found applied before) by {@code lane} main or urgent (ADR 19), {@code path} bulk
     * (ADR 17) or alone (one at a time).
     */
    public void alertsApplied(String lane, String path, int deliveries) {
        counter("tocsin.escalation.alerts.applied", "Alert deliveries applied, in bulk or one at a time, by lane",
                "lane", lane, "path", path).increment(deliveries);
    }

    public void deadLettered(String channel) {
        counter("tocsin.escalation.dead.lettered", "Records sent to a dead-letter topic", "channel", channel)
                .increment();
    }

    private Counter counter(String name, String description, String... tags) {
        return counters.computeIfAbsent(key(name, tags), key -> Counter.builder(name).description(description)
                .tags(tags).register(registry));
    }

    private Timer timer(String name, String description, String... tags) {
        return timers.computeIfAbsent(key(name, tags), key -> Timer.builder(name).description(description)
                .tags(tags).publishPercentileHistogram().register(registry));
    }

    private static List<String> key(String name, String... tags) {
        return java.util.stream.Stream.concat(java.util.stream.Stream.of(name), java.util.Arrays.stream(tags))
                .toList();
    }
}
