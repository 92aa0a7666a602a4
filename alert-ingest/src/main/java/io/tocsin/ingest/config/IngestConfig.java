package io.tocsin.ingest.config;

import java.time.Duration;
import java.util.Optional;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.tocsin.ingest.domain.IngestLimits;

/** alert-ingest's own settings, under {@code tocsin.ingest}; README "Configuration" lists them with their variables. */
@ConfigMapping(prefix = "tocsin.ingest")
public interface IngestConfig {

    /**
     * Named credentials, {@code name:token} pairs separated by commas ({@code TOCSIN_INGEST_TOKENS}). The name becomes the
     * alert's source; send the token as a bearer token, or as the basic-auth password with the name as user.
     */
    Optional<String> tokens();

    /** How long a request waits for the broker to acknowledge its records before it is answered 503. */
    @WithDefault("5s")
    Duration publishTimeout();

    /** The Retry-After value, in seconds, sent with a 503. */
    @WithDefault("5")
    int retryAfterSeconds();

    /**
     * Refuse readiness while the alerts topic cannot make a 2xx durable (replication factor or min.insync.replicas
     * below 2). Off by default so that one local broker works; production sets it
     * ({@code TOCSIN_INGEST_REQUIRE_DURABLE_TOPIC=true}).
     */
    @WithDefault("false")
    boolean requireDurableTopic();

    /** Bounds on one request. */
    Limits limits();

    /** Bounds on one request; see {@link IngestLimits}. */
    interface Limits {

        /** Largest accepted request body; larger ones get 413. */
        @WithDefault("5M")
        MemorySize maxBodySize();

        /** Alerts in one request. */
        @WithDefault("5000")
        int maxAlerts();

        /** Labels on one alert. */
        @WithDefault("128")
        int maxLabels();

        /** Annotations on one alert. */
        @WithDefault("128")
        int maxAnnotations();

        /** Characters in a label or annotation name. */
        @WithDefault("256")
        int maxNameLength();

        /** Characters in a label value. */
        @WithDefault("4096")
        int maxLabelValueLength();

        /** Characters in an annotation value. */
        @WithDefault("32768")
        int maxAnnotationValueLength();

        /**
         * How far past the receive time an alert's {@code startsAt} may lie before it is refused (400): the sender's clock
         * running ahead by more than this is a broken clock, not an alert from the future.
         */
        @WithDefault("10m")
        Duration maxFutureSkew();

        default IngestLimits toDomain() {
            return new IngestLimits(maxAlerts(), maxLabels(), maxAnnotations(), maxNameLength(), maxLabelValueLength(),
                    maxAnnotationValueLength(), maxFutureSkew());
        }
    }
}
