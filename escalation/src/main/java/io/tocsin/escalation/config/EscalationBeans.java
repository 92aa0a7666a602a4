package io.tocsin.escalation.config;

import java.time.Clock;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.quarkus.arc.DefaultBean;
import io.tocsin.auth.Credentials;
import io.tocsin.escalation.domain.Grouping;
import io.tocsin.escalation.domain.PriorityRules;
import io.tocsin.escalation.domain.policy.EscalationPolicy;
import io.tocsin.escalation.domain.policy.PolicySet;

/** Wires the framework-free pieces of escalation from its configuration. */
@ApplicationScoped
public class EscalationBeans {

    private static final Logger LOG = Logger.getLogger(EscalationBeans.class);

    /** The clock every decision is made with; tests replace it to fast-forward time. */
    @Produces
    @Singleton
    @DefaultBean
    Clock clock() {
        return Clock.systemUTC();
    }

    @Produces
    @Singleton
    Grouping grouping(EscalationConfig config, PolicySet policies) {
        return new Grouping(config.groupBy(), policies.grouping());
    }

    @Produces
    @Singleton
    PriorityRules priorityRules(PolicySet policies) {
        return new PriorityRules(policies.priorityRules());
    }

    /** Who may call the incident API ({@code TOCSIN_API_TOKENS}); missing or malformed stops the start. */
    @Produces
    @Singleton
    Credentials apiCredentials(EscalationConfig config) {
        Credentials credentials = Credentials.parse(config.apiTokens().orElse(null), "TOCSIN_API_TOKENS");
        LOG.infof("incident API open to %s", credentials.names());
        return credentials;
    }

    /** The escalation policies; {@link StartupCheck} has refused a file that cannot be used before this runs. */
    @Produces
    @Singleton
    PolicySet policies(EscalationConfig config) {
        PolicySource source = PolicySource.of(config);
        return log(source.parse(System::getenv), source.description());
    }

    private static PolicySet log(PolicySet set, String source) {
        LOG.infof("escalation policies from %s: %s", source,
                set.policies().stream().map(EscalationPolicy::name).toList());
        return set;
    }
}
