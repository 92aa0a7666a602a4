package io.tocsin.runbook.config;

import java.time.Clock;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.quarkus.arc.DefaultBean;
import io.tocsin.auth.Credentials;
import io.tocsin.runbook.domain.HostPolicy;
import io.tocsin.runbook.domain.RunbookCatalog;
import io.tocsin.runbook.domain.RunbookFileParser;
import io.tocsin.runbook.service.Secrets;

/** Wires the framework-free pieces of the runbook engine from its configuration, checked once at start. */
@ApplicationScoped
public class RunbookBeans {

    /** The clock every decision is made with; tests replace it to fast-forward time. */
    @Produces
    @Singleton
    @DefaultBean
    Clock clock() {
        return Clock.systemUTC();
    }

    /** The settings and every runbook file in the folder, read once; {@link StartupCheck} stops on a problem. */
    @Produces
    @Singleton
    ConfigurationCheck.Result configuration(RunbookConfig raw, Secrets secrets) {
        // The environment itself for ${NAME}, not the configuration: a configuration lookup would also find
        // properties such as the database password under an environment-style name.
        return ConfigurationCheck.check(raw, System::getenv, secrets::value);
    }

    @Produces
    @Singleton
    RunbookSettings settings(ConfigurationCheck.Result configuration) {
        if (!configuration.problems().isEmpty()) {
            throw new IllegalStateException("the configuration has problems: " + configuration.problems());
        }
        return configuration.settings();
    }

    @Produces
    @Singleton
    HostPolicy hostPolicy(RunbookSettings settings) {
        return settings.hosts();
    }

    /** Who may call the API ({@code TOCSIN_API_TOKENS}). */
    @Produces
    @Singleton
    Credentials apiCredentials(RunbookSettings settings) {
        return settings.apiCredentials();
    }

    /** What runbook files are checked against: the allowlists, the default Prometheus, secrets and variables. */
    @Produces
    @Singleton
    RunbookFileParser.Settings parserSettings(RunbookSettings settings, ConfigurationCheck.Result configuration) {
        return configuration.parser();
    }

    /** Every runbook file in the folder as read at start; an invalid one is there only when the start skipped it. */
    @Produces
    @Singleton
    RunbookCatalog catalog(RunbookSettings settings, ConfigurationCheck.Result configuration) {
        return configuration.catalog();
    }
}
