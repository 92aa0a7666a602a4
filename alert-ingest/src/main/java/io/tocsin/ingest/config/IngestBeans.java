package io.tocsin.ingest.config;

import java.time.Clock;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.quarkus.arc.DefaultBean;
import io.quarkus.runtime.StartupEvent;
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

    /** Fails the start, with a message naming the setting, when the credentials are missing or malformed. */
    void checkCredentials(@Observes StartupEvent start, Credentials credentials) {
        LOG.infof("accepting alerts from sources %s", credentials.names());
    }
}
