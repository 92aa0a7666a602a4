package io.tocsin.notifier.metrics;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/** The notifier's meters; tags are channel and outcome names only, never addresses or incident ids. */
@ApplicationScoped
public class NotifierMetrics {

    private final MeterRegistry registry;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();

    public NotifierMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** One attempt ended: {@code outcome} is delivered, retrying, failed, not-sent or unknown. */
    public void attempt(String channel, String outcome, Duration took) {
        counters.computeIfAbsent("d:" + channel + ":" + outcome, k -> Counter.builder("tocsin.notifier.deliveries")
                .description("Delivery attempts by channel and outcome").tag("channel", channel)
                .tag("outcome", outcome).register(registry)).increment();
        if (took != null) {
            timers.computeIfAbsent(channel, k -> Timer.builder("tocsin.notifier.delivery.duration")
                    .description("How long a call to the destination took").tag("channel", channel)
                    .publishPercentileHistogram().register(registry)).record(took);
        }
    }

    /** A delivery failed for good and went to the dead-letter topic. */
    public void deadLettered(String channel) {
        count("tocsin.notifier.dead.lettered", "Deliveries that failed for good", "channel", channel);
    }

    /** A destination answered 429. */
    public void rateLimited(String channel) {
        count("tocsin.notifier.rate.limited", "429 answers by channel", "channel", channel);
    }

    /** A destination's circuit breaker opened. */
    public void breakerOpened(String destinationKind) {
        count("tocsin.notifier.breaker.opened", "Circuit breakers opened", "channel", destinationKind);
    }

    /** A Slack root message was rewritten in place. */
    public void slackUpdated(String outcome) {
        count("tocsin.notifier.slack.updates", "chat.update calls by outcome", "outcome", outcome);
    }

    /** A Slack interaction came in: {@code outcome} is command, refused, unknown-incident, unknown-action... */
    public void interaction(String outcome) {
        count("tocsin.notifier.slack.interactions", "Slack button presses by outcome", "outcome", outcome);
    }

    /** An incident event could not be read or applied and went to the dead-letter topic. */
    public void poisonEvent() {
        count("tocsin.notifier.events.dead.lettered", "Incident events sent to the dead-letter topic", "topic",
                "incidents");
    }

    private void count(String name, String description, String tag, String value) {
        counters.computeIfAbsent(name + ":" + value,
                k -> Counter.builder(name).description(description).tag(tag, value).register(registry)).increment();
    }
}
