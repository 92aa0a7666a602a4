package io.tocsin.runbook.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The runbook engine's settings ({@code tocsin.runbook.*}); README, "Configuration", lists the environment variables. */
@ConfigMapping(prefix = "tocsin.runbook")
public interface RunbookConfig {

    /** The folder of runbook files, {@code *.yaml} and {@code *.yml} ({@code TOCSIN_RUNBOOK_DIR}); unset: no runbooks. */
    Optional<String> directory();

    /** Every run only records what it would do ({@code TOCSIN_RUNBOOK_DRY_RUN}); a runbook cannot override it. */
    @WithDefault("false")
    boolean dryRun();

    /** Hosts HTTP and Prometheus steps may call: host, host:port or *.domain ({@code TOCSIN_RUNBOOK_HTTP_ALLOWED_HOSTS}). */
    Optional<List<String>> allowedHosts();

    /** Programs shell steps may run, as absolute paths ({@code TOCSIN_RUNBOOK_SHELL_ALLOWLIST}); unset: shell steps are off. */
    Optional<List<String>> shellAllowlist();

    /** The Prometheus that prometheus-query steps ask when they name none ({@code TOCSIN_RUNBOOK_PROMETHEUS_URL}). */
    Optional<String> prometheusUrl();

    /**
     * Values for {@code ${NAME}} in runbook files besides the environment's ({@code tocsin.runbook.variables.NAME});
     * the environment wins.
     */
    Map<String, String> variables();

    /** Who may call the API ({@code TOCSIN_API_TOKENS}, as for escalation). */
    Optional<String> apiTokens();

    /**
     * Incident events older than this start no runbook ({@code TOCSIN_RUNBOOK_MAX_EVENT_AGE}): a first start, or a
     * backlog after an outage, must not restart deployments for incidents that are long over.
     */
    @WithDefault("15m")
    Duration maxEventAge();

    /** How often due runs are looked for (new runs and results also start a round at once). */
    @WithDefault("1s")
    Duration interval();

    /** A call still in flight this long after its step's timeout was cut off by a crash. */
    @WithDefault("30s")
    Duration inFlightGrace();
}
