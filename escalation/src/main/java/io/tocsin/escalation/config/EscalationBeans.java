package io.tocsin.escalation.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
import io.tocsin.escalation.domain.policy.PolicyFileParser;
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

    /** The escalation policies; an invalid file stops the start with every problem and its line. */
    @Produces
    @Singleton
    PolicySet policies(EscalationConfig config) throws IOException {
        if (config.policyFile().isPresent()) {
            Path file = Path.of(config.policyFile().get());
            if (!Files.isReadable(file)) {
                throw new IllegalStateException("TOCSIN_ESCALATION_POLICY_FILE names " + file
                        + ", which cannot be read");
            }
            return log(PolicyFileParser.parse(Files.readString(file), file.toString(), System::getenv), file.toString());
        }
        try (InputStream in = EscalationBeans.class.getResourceAsStream("/default-policy.yaml")) {
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return log(PolicyFileParser.parse(text, "default-policy.yaml", System::getenv), "the built-in default");
        }
    }

    private static PolicySet log(PolicySet set, String source) {
        LOG.infof("escalation policies from %s: %s", source,
                set.policies().stream().map(EscalationPolicy::name).toList());
        return set;
    }
}
