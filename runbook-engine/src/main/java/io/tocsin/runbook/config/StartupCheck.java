package io.tocsin.runbook.config;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;

import org.jboss.logging.Logger;

import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.StartupEvent;
import io.tocsin.runbook.domain.LoadedRunbook;

/**
 * Refuses to start on a configuration problem, before anything consumes or runs: one ERROR line per problem, each
 * starting {@value #PREFIX} and naming the variable or the runbook file and line, then exit code 1 with no stack
 * trace.
 */
@ApplicationScoped
public class StartupCheck {

    /** What every problem line starts with; {@code run-local.sh} and log searches look for it. */
    public static final String PREFIX = "Configuration problem: ";

    private static final Logger LOG = Logger.getLogger(StartupCheck.class);

    void check(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent start,
            ConfigurationCheck.Result result) {
        result.warnings().forEach(LOG::warn);
        result.skipped().forEach(error -> LOG.errorf("invalid runbook file, skipped since %s is true: %s",
                ConfigurationCheck.SKIP_INVALID, error));
        result.problems().forEach(problem -> LOG.error(PREFIX + problem));
        if (!result.problems().isEmpty()) {
            LOG.errorf("runbook-engine does not start: %d configuration problem(s), each on a line above starting "
                    + "\"%s\"", result.problems().size(), PREFIX.strip());
            if (LaunchMode.current() == LaunchMode.NORMAL) {
                // Nothing has started that needs stopping (no consumer, no HTTP). Stopping Quarkus from here prints a
                // "Graceful shutdown failed" stack trace after these lines, and a failed start one of its own.
                System.out.flush();
                System.err.flush();
                Runtime.getRuntime().halt(1);
            }
            throw new IllegalStateException("configuration problems: " + result.problems());
        }
        for (LoadedRunbook runbook : result.catalog().files()) {
            if (runbook.valid()) {
                LOG.infof("runbook %s loaded from %s (%d steps, starts %s)%s", runbook.name(), runbook.file(),
                        runbook.runbook().steps().size(), runbook.runbook().trigger().wire(),
                        result.settings().dryRun() ? ", dry run" : "");
            }
        }
        if (result.catalog().files().isEmpty()) {
            LOG.infof("no runbooks: %s is not set or holds no runbook file", ConfigurationCheck.DIR);
        }
        LOG.infof("runbook API open to %s", result.settings().apiCredentials().names());
    }
}
