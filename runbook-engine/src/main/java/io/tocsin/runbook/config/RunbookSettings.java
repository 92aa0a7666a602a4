package io.tocsin.runbook.config;

import java.time.Duration;
import java.util.List;

import io.tocsin.auth.Credentials;
import io.tocsin.runbook.domain.HostPolicy;

/** The runbook engine's settings once {@link ConfigurationCheck} has read them: every value valid. */
public record RunbookSettings(boolean dryRun, HostPolicy hosts, List<String> shellAllowlist, String prometheusUrl,
        Credentials apiCredentials, Duration maxEventAge, Duration interval, Duration inFlightGrace,
        boolean skipInvalid) {

    public RunbookSettings {
        shellAllowlist = List.copyOf(shellAllowlist);
    }
}
