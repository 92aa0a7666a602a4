package io.tocsin.outbox;

import java.time.Duration;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness of the service's consumers: DOWN while a record has been held by a transient failure (the database or
 * Kafka away) for longer than {@code tocsin.health.held-after}, naming the channel and how long, and UP again as soon
 * as it applies. Never the failure's text, which may hold a connection string or a payload.
 */
@Readiness
@ApplicationScoped
public class ConsumersReadinessCheck implements HealthCheck {

    private final Duration heldAfter;

    /**
     * @param heldAfter how long a record may be held before readiness says so ({@code tocsin.health.held-after}, 5
     *        s): a serialization conflict retried at once is not an outage
     */
    public ConsumersReadinessCheck(
            @ConfigProperty(name = "tocsin.health.held-after", defaultValue = "5s") Duration heldAfter) {
        this.heldAfter = heldAfter;
    }

    @Override
    public HealthCheckResponse call() {
        Map<String, Duration> held = Failures.held().heldLongerThan(heldAfter);
        HealthCheckResponseBuilder response = HealthCheckResponse.named("consumers").status(held.isEmpty());
        held.forEach((channel, duration) -> response.withData(channel,
                "held by a transient failure for " + duration.toSeconds() + " s"));
        return response.build();
    }
}
