package io.tocsin.escalation.config;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** escalation's own settings, under {@code tocsin.escalation}; README "Configuration" lists them. */
@ConfigMapping(prefix = "tocsin.escalation")
public interface EscalationConfig {

    /**
     * The labels alerts of one incident share; each element a label or {@code a|b} alternatives, first present wins
     * ({@code TOCSIN_ESCALATION_GROUP_BY}).
     */
    @WithDefault("alertname,service|job,cluster|namespace")
    List<String> groupBy();

    /** An incident that resolved less than this long ago is reopened, not opened anew, when its group fires again. */
    @WithDefault("5m")
    Duration flapWindow();

    /** Named API tokens, {@code name:token[,name:token...]} ({@code TOCSIN_API_TOKENS}); the name is the actor. */
    Optional<String> apiTokens();

    /** The escalation policy file ({@code TOCSIN_ESCALATION_POLICY_FILE}); the built-in default policy when unset. */
    Optional<String> policyFile();

    /** How often due escalation timers are looked for. */
    @WithDefault("1s")
    Duration timerInterval();

    /** Failed firings after which an escalation timer is given up (a passing database outage is not one). */
    @WithDefault("5")
    int timerAttempts();

    /**
     * Whether a polled batch of alerts is applied in bulk, a few statements per batch ({@code
     * TOCSIN_ESCALATION_BULK_INTAKE}, ADR 17); false applies every record on its own, as before: the way back without
     * a build.
     */
    @WithDefault("true")
    boolean bulkIntake();

    /**
     * Whether the urgent lane applies P0 and P1 alerts ahead of the backlog ({@code TOCSIN_ESCALATION_URGENT_LANE},
     * ADR 19); false leaves every alert to the main lane, in arrival order. Safe to turn either way at any time: the
     * main lane applies every alert whichever way it is set.
     */
    @WithDefault("true")
    boolean urgentLane();
}
