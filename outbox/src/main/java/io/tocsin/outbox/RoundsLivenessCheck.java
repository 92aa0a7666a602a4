package io.tocsin.outbox;

import java.time.Duration;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;

/**
 * Liveness of the background loops ({@link Rounds}: the outbox relay, deliveries, runbook runs): DOWN only when a
 * round has been running longer than {@code tocsin.health.round-wedged-after}, which no outage explains (every round
 * ends, failed, within its clients' timeouts) and only a restart mends. A database or Kafka outage leaves it UP.
 */
@Liveness
@ApplicationScoped
public class RoundsLivenessCheck implements HealthCheck {

    private final Duration wedgedAfter;

    /**
     * @param wedgedAfter how long one round may run before its loop counts as wedged
     *        ({@code tocsin.health.round-wedged-after}, 5 min: a relay round waits at most Kafka's 2 min delivery
     *        timeout)
     */
    public RoundsLivenessCheck(
            @ConfigProperty(name = "tocsin.health.round-wedged-after", defaultValue = "5m") Duration wedgedAfter) {
        this.wedgedAfter = wedgedAfter;
    }

    @Override
    public HealthCheckResponse call() {
        Map<String, Duration> wedged = Rounds.wedged(wedgedAfter);
        HealthCheckResponseBuilder response = HealthCheckResponse.named("background rounds").status(wedged.isEmpty());
        wedged.forEach((what, duration) -> response.withData(what,
                "one round running for " + duration.toSeconds() + " s"));
        return response.build();
    }
}
