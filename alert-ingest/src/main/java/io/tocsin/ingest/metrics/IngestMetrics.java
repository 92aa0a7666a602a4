package io.tocsin.ingest.metrics;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.tocsin.events.AlertOrigin;

/**
 * Every meter alert-ingest publishes. Tags stay low-cardinality: {@code source} is a configured credential name,
 * {@code origin} and {@code reason} are fixed sets.
 */
@ApplicationScoped
public class IngestMetrics {

    /** Why a request was refused; the {@code reason} tag. */
    public enum Rejection {
        UNAUTHENTICATED,
        INVALID_PAYLOAD,
        MALFORMED_JSON,
        PAYLOAD_TOO_LARGE,
        RECORD_TOO_LARGE,
        UNSUPPORTED_MEDIA_TYPE,
        BROKER_UNAVAILABLE;

        String tag() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Source tag for requests that did not authenticate. */
    public static final String UNKNOWN_SOURCE = "unauthenticated";

    private final MeterRegistry registry;
    /** Meters by name and tag values: looking one up in the registry on every request costs more than the request. */
    private final Map<List<String>, Counter> counters = new ConcurrentHashMap<>();
    private final Map<List<String>, Timer> timers = new ConcurrentHashMap<>();

    public IngestMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Alerts read from a valid request, before publishing. */
    public void received(String source, AlertOrigin origin, int alerts) {
        counters.computeIfAbsent(List.of("received", source, origin.wire()), key -> Counter
                .builder("tocsin.ingest.alerts.received")
                .description("Alerts read from valid requests")
                .tag("source", source).tag("origin", origin.wire())
                .register(registry)).increment(alerts);
    }

    /** Alerts the broker acknowledged, answered 2xx. */
    public void accepted(String source, AlertOrigin origin, int alerts) {
        counters.computeIfAbsent(List.of("accepted", source, origin.wire()), key -> Counter
                .builder("tocsin.ingest.alerts.accepted")
                .description("Alerts durably written to Kafka and acknowledged to the sender")
                .tag("source", source).tag("origin", origin.wire())
                .register(registry)).increment(alerts);
    }

    /** A refused request and, where known, how many alerts it carried (0 when the body could not be read). */
    public void rejected(String source, Rejection reason, int alerts) {
        Counter.builder("tocsin.ingest.requests.rejected")
                .description("Requests answered with an error, by reason")
                .tag("source", source).tag("reason", reason.tag())
                .register(registry).increment();
        if (alerts > 0) {
            Counter.builder("tocsin.ingest.alerts.rejected")
                    .description("Alerts in requests answered with an error, by reason")
                    .tag("source", source).tag("reason", reason.tag())
                    .register(registry).increment(alerts);
        }
    }

    /** Time from a request's arrival to its answer. */
    public void requestDuration(AlertOrigin origin, int status, Duration duration) {
        timers.computeIfAbsent(List.of("request", origin.wire(), Integer.toString(status)), key -> Timer
                .builder("tocsin.ingest.request.duration")
                .description("Time to answer an ingest request")
                .tag("origin", origin.wire()).tag("status", Integer.toString(status))
                .publishPercentileHistogram()
                .register(registry)).record(duration);
    }

    /** Time from handing a request's records to the producer until the broker acknowledged all of them. */
    public void brokerAck(Duration duration, boolean success) {
        String outcome = success ? "acknowledged" : "failed";
        timers.computeIfAbsent(List.of("ack", outcome), key -> Timer
                .builder("tocsin.ingest.broker.ack.duration")
                .description("Time for the broker to acknowledge every record of a request (acks=all)")
                .tag("outcome", outcome)
                .publishPercentileHistogram()
                .register(registry)).record(duration);
    }
}
