package io.tocsin.runbook.metrics;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/** The runbook engine's meters; tags are runbook names (one per file), kinds and outcomes, never incident ids. */
@ApplicationScoped
public class RunbookMetrics {

    private final MeterRegistry registry;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();
    private final AtomicLong approvalsPending = new AtomicLong();

    public RunbookMetrics(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder("tocsin.runbook.approvals.pending", approvalsPending, AtomicLong::get)
                .description("Approval steps waiting for a decision").register(registry);
    }

    /** A run started: {@code trigger} is opened, priority or manual. */
    public void runStarted(String runbook, String trigger) {
        count("tocsin.runbook.runs.started", "Runs started by runbook and trigger", "runbook", runbook, "trigger",
                trigger);
    }

    /** A run ended: {@code outcome} is succeeded, failed or cancelled. */
    public void runFinished(String runbook, String outcome) {
        count("tocsin.runbook.runs", "Runs ended by runbook and outcome", "runbook", runbook, "outcome", outcome);
    }

    /** A run that should have started did not: {@code reason} is limit or running. */
    public void runSkipped(String runbook, String reason) {
        count("tocsin.runbook.runs.skipped", "Runs not started by runbook and reason", "runbook", runbook, "reason",
                reason);
    }

    /** A step ended, after {@code took} (from its start to its outcome). */
    public void step(String runbook, String kind, String outcome, Duration took) {
        counters.computeIfAbsent("steps:" + runbook + ":" + kind + ":" + outcome, k -> Counter
                .builder("tocsin.runbook.steps").description("Steps ended by runbook, kind and outcome")
                .tag("runbook", runbook).tag("kind", kind).tag("outcome", outcome).register(registry)).increment();
        timers.computeIfAbsent(runbook + ":" + kind, k -> Timer.builder("tocsin.runbook.step.duration")
                .description("From a step's start to its outcome").tag("runbook", runbook).tag("kind", kind)
                .publishPercentileHistogram().register(registry)).record(took.isNegative() ? Duration.ZERO : took);
    }

    /** How many approvals wait now. */
    public void approvalsPending(long count) {
        approvalsPending.set(count);
    }

    /** An incident event or a command could not be read or applied and went to its dead-letter topic. */
    public void deadLettered(String topic) {
        count("tocsin.runbook.dead.lettered", "Records sent to a dead-letter topic", "topic", topic, null, null);
    }

    private void count(String name, String description, String tag, String value, String tag2, String value2) {
        String key = name + ":" + value + ":" + tag2 + ":" + value2;
        counters.computeIfAbsent(key, k -> {
            Counter.Builder builder = Counter.builder(name).description(description).tag(tag, value);
            if (tag2 != null) {
                builder = builder.tag(tag2, value2);
            }
            return builder.register(registry);
        }).increment();
    }
}
