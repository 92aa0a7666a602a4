package io.tocsin.ingest.config;

import java.time.Clock;
import java.util.List;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import jakarta.interceptor.Interceptor;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.quarkus.arc.DefaultBean;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.MemorySize;
import io.tocsin.auth.Credentials;
import io.tocsin.ingest.domain.EventIds;
import io.tocsin.ingest.domain.PayloadReader;

/** Wires the framework-free pieces of alert-ingest from its configuration. */
@ApplicationScoped
public class IngestBeans {

    private static final Logger LOG = Logger.getLogger(IngestBeans.class);

    @Produces
    @Singleton
    Credentials credentials(IngestConfig config) {
        return Credentials.parse(config.tokens().orElse(null));
    }

    @Produces
    @Singleton
    PayloadReader payloadReader(IngestConfig config) {
        return new PayloadReader(config.limits().toDomain(), EventIds::next);
    }

    /** The clock alerts are stamped with; tests replace it. */
    @Produces
    @Singleton
    @DefaultBean
    Clock clock() {
        return Clock.systemUTC();
    }

    /**
     * Fails the start, one line per problem naming the variable, when a setting cannot work; before anything, Kafka
     * included, is touched.
     */
    void checkConfiguration(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE - 1) StartupEvent start,
            IngestConfig config, @ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize httpMaxBodySize) {
        List<String> problems = ConfigurationCheck.problems(config, httpMaxBodySize.asLongValue());
        if (!problems.isEmpty()) {
            throw new IllegalStateException("alert-ingest cannot start with this configuration:\n  "
                    + String.join("\n  ", problems));
        }
    }

    void logSources(@Observes StartupEvent start, Credentials credentials) {
        LOG.infof("accepting alerts from sources %s", credentials.names());
    }
}
