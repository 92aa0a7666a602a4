package io.tocsin.escalation.metrics;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Counter;
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

    public EscalationMetrics(MeterRegistry registry) {
        this.registry = registry;
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

    /** How late a timer fired after it was due: the health of the timer loop. */
    public void timerLag(Duration lag) {
        timer("tocsin.escalation.timer.lag", "Delay between a timer's due time and its firing", "kind", "any")
                .record(lag.isNegative() ? Duration.ZERO : lag);
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
