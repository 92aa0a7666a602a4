package io.tocsin.runbook.config;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;

/**
 * The runbook engine's settings ({@code tocsin.runbook.*}) as written, every value text: {@link ConfigurationCheck}
 * reads them into {@link RunbookSettings} and names each one it cannot read, so a typo stops the start with a line
 * naming the variable instead of a conversion stack trace (or, for a switch, silently meaning "false").
 * README, "Configuration", lists the environment variables.
 */
@ConfigMapping(prefix = "tocsin.runbook")
public interface RunbookConfig {

    /** The folder of runbook files, {@code *.yaml} and {@code *.yml} ({@code TOCSIN_RUNBOOK_DIR}); unset: no runbooks. */
    Optional<String> directory();

    /** Every run only records what it would do ({@code TOCSIN_RUNBOOK_DRY_RUN}, true or false, default false). */
    Optional<String> dryRun();

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
     * Incident events older than this start no runbook ({@code TOCSIN_RUNBOOK_MAX_EVENT_AGE}, default 15m): a first
     * start, or a backlog after an outage, must not restart deployments for incidents that are long over.
     */
    Optional<String> maxEventAge();

    /**
     * How often due runs are looked for ({@code TOCSIN_RUNBOOK_INTERVAL}, default 1s; new runs and results start a round at
     * once).
     */
    Optional<String> interval();

    /**
     * A call still in flight this long after its step's timeout was cut off by a crash ({@code TOCSIN_RUNBOOK_IN_FLIGHT_GRACE},
     * default 30s).
     */
    Optional<String> inFlightGrace();

    /**
     * The escape hatch ({@code TOCSIN_RUNBOOK_SKIP_INVALID}, default false): start although runbook files have errors;
     * those files are logged and listed as invalid and never run. Off, a file with an error stops the start.
     */
    Optional<String> skipInvalid();
}
