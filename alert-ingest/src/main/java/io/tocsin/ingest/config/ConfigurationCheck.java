package io.tocsin.ingest.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.tocsin.auth.Credentials;

/**
 * What is wrong with alert-ingest's settings, one line per problem naming the variable, so that a bad configuration
 * stops the start whole instead of showing up as refused alerts. Values of the wrong type (a size that is not a size)
 * SmallRye Config already refuses by name; this checks what parses but cannot work. Never quotes a token.
 */
final class ConfigurationCheck {

    /** Alertmanager gives up on a request after at least 10 s; a 503 must come before that to be seen. */
    static final Duration ALERTMANAGER_SHORTEST_TIMEOUT = Duration.ofSeconds(10);

    private ConfigurationCheck() {
    }

    /**
     * @param httpMaxBodySize {@code quarkus.http.limits.max-body-size}, which answers a bare 413 above it
     */
    static List<String> problems(IngestConfig config, long httpMaxBodySize) {
        List<String> problems = new ArrayList<>();
        problems.addAll(Credentials.problems(config.tokens().orElse(null), "TOCSIN_INGEST_TOKENS"));
        Duration timeout = config.publishTimeout();
        if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(ALERTMANAGER_SHORTEST_TIMEOUT) >= 0) {
            problems.add(variable("publish-timeout") + " is " + timeout.toMillis() + " ms; it must be more than 0 and"
                    + " less than 10 s, Alertmanager's shortest request timeout, or its 503 is never seen");
        }
        if (config.retryAfterSeconds() < 1 || config.retryAfterSeconds() > 3600) {
            problems.add(variable("retry-after-seconds") + " is " + config.retryAfterSeconds()
                    + "; it must be 1 to 3600");
        }
        IngestConfig.Limits limits = config.limits();
        long maxBody = limits.maxBodySize().asLongValue();
        if (maxBody < 1 || maxBody > httpMaxBodySize) {
            problems.add(variable("limits.max-body-size") + " is " + maxBody + " bytes; it must be more than 0 and at"
                    + " most quarkus.http.limits.max-body-size (" + httpMaxBodySize + "), above which the HTTP layer"
                    + " answers without a problem");
        }
        atLeastOne("limits.max-alerts", limits.maxAlerts(), problems);
        atLeastOne("limits.max-labels", limits.maxLabels(), problems);
        atLeastOne("limits.max-annotations", limits.maxAnnotations(), problems);
        atLeastOne("limits.max-name-length", limits.maxNameLength(), problems);
        atLeastOne("limits.max-label-value-length", limits.maxLabelValueLength(), problems);
        atLeastOne("limits.max-annotation-value-length", limits.maxAnnotationValueLength(), problems);
        if (limits.maxFutureSkew().isNegative()) {
            problems.add(variable("limits.max-future-skew") + " is " + limits.maxFutureSkew()
                    + "; it must not be negative (it would refuse alerts that start now)");
        }
        return problems;
    }

    private static void atLeastOne(String key, int value, List<String> problems) {
        if (value < 1) {
            problems.add(variable(key) + " is " + value + "; it must be at least 1");
        }
    }

    /**
     * The environment variable and the property, such as
     * {@code TOCSIN_INGEST_LIMITS_MAX_ALERTS (tocsin.ingest.limits.max-alerts)}.
     */
    static String variable(String key) {
        String property = "tocsin.ingest." + key;
        return property.toUpperCase(java.util.Locale.ROOT).replace('.', '_').replace('-', '_') + " (" + property + ")";
    }
}
