package io.tocsin.runbook.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.quarkus.arc.DefaultBean;
import io.tocsin.auth.Credentials;
import io.tocsin.runbook.domain.HostPolicy;
import io.tocsin.runbook.domain.LoadedRunbook;
import io.tocsin.runbook.domain.RunbookCatalog;
import io.tocsin.runbook.domain.RunbookFileParser;
import io.tocsin.runbook.service.Secrets;

/** Wires the framework-free pieces of the runbook engine from its configuration. */
@ApplicationScoped
public class RunbookBeans {

    private static final Logger LOG = Logger.getLogger(RunbookBeans.class);

    /** The clock every decision is made with; tests replace it to fast-forward time. */
    @Produces
    @Singleton
    @DefaultBean
    Clock clock() {
        return Clock.systemUTC();
    }

    @Produces
    @Singleton
    HostPolicy hostPolicy(RunbookConfig config) {
        return new HostPolicy(config.allowedHosts().orElse(List.of()));
    }

    /** Who may call the API ({@code TOCSIN_API_TOKENS}); missing or malformed stops the start. */
    @Produces
    @Singleton
    Credentials apiCredentials(RunbookConfig config) {
        Credentials credentials = Credentials.parse(config.apiTokens().orElse(null), "TOCSIN_API_TOKENS");
        LOG.infof("runbook API open to %s", credentials.names());
        return credentials;
    }

    /** What runbook files are checked against: the allowlists, the default Prometheus, secrets and variables. */
    @Produces
    @Singleton
    RunbookFileParser.Settings parserSettings(RunbookConfig config, HostPolicy hosts, Secrets secrets) {
        for (String program : config.shellAllowlist().orElse(List.of())) {
            if (!program.startsWith("/")) {
                throw new IllegalStateException("TOCSIN_RUNBOOK_SHELL_ALLOWLIST: \"" + program
                        + "\" is not an absolute path; list programs as /usr/local/bin/name");
            }
        }
        return new RunbookFileParser.Settings(hosts, Set.copyOf(config.shellAllowlist().orElse(List.of())),
                config.prometheusUrl().orElse(null),
                // The environment itself, not the configuration: a configuration lookup would also find properties
                // such as the database password under an environment-style name.
                secrets::value, name -> System.getenv(name) != null ? System.getenv(name)
                        : config.variables().get(name));
    }

    /**
     * Every runbook file in the folder, read once at start. An invalid file is logged with each problem and its line,
     * listed as invalid by the API, and never runs; the other runbooks still load.
     */
    @Produces
    @Singleton
    RunbookCatalog catalog(RunbookConfig config, RunbookFileParser.Settings settings) throws IOException {
        if (config.directory().isEmpty() || config.directory().get().isBlank()) {
            LOG.info("no runbooks: TOCSIN_RUNBOOK_DIR is not set");
            return new RunbookCatalog(List.of());
        }
        Path folder = Path.of(config.directory().get());
        if (!Files.isDirectory(folder)) {
            throw new IllegalStateException("TOCSIN_RUNBOOK_DIR names " + folder + ", which is not a readable folder");
        }
        List<Path> files;
        try (Stream<Path> listing = Files.list(folder)) {
            files = listing.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted()
                    .toList();
        }
        List<LoadedRunbook> loaded = new ArrayList<>();
        Set<String> names = new java.util.HashSet<>();
        for (Path file : files) {
            LoadedRunbook runbook = RunbookFileParser.parse(Files.readString(file), file.getFileName().toString(),
                    settings);
            if (runbook.valid() && !names.add(runbook.name())) {
                runbook = new LoadedRunbook(runbook.file(), runbook.name(), null, List.of(runbook.file()
                        + ":1: name: \"" + runbook.name() + "\" is used by another runbook file"), runbook.warnings());
            }
            loaded.add(runbook);
            if (runbook.valid()) {
                LOG.infof("runbook %s loaded from %s (%d steps, starts %s)%s", runbook.name(), runbook.file(),
                        runbook.runbook().steps().size(), runbook.runbook().trigger().wire(),
                        config.dryRun() ? ", dry run" : "");
            } else {
                LOG.errorf("runbook file %s is invalid and will not run:%n  %s", runbook.file(),
                        String.join("\n  ", runbook.errors()));
            }
            runbook.warnings().forEach(warning -> LOG.warnf("runbook file %s", warning));
        }
        return new RunbookCatalog(loaded);
    }
}
