package io.tocsin.escalation.config;

import java.util.List;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.quarkus.runtime.StartupEvent;

/**
 * Refuses to start escalation with a configuration mistake: one ERROR line per problem, then Quarkus exits non-zero
 * (a {@code ConfigurationException} is printed without a stack trace). Runs before the Kafka consumers start, so no
 * record is read with a configuration that cannot handle it.
 */
@ApplicationScoped
public class StartupCheck {

    private static final Logger LOG = Logger.getLogger(StartupCheck.class);

    private final EscalationConfig config;
    private final String kafkaServers;

    public StartupCheck(EscalationConfig config, @ConfigProperty(name = "kafka.bootstrap.servers") String kafkaServers) {
        this.config = config;
        this.kafkaServers = kafkaServers;
    }

    void onStart(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent event) {
        List<String> problems = ConfigurationCheck.problems(config, kafkaServers, System::getenv);
        problems.forEach(problem -> LOG.errorf("invalid configuration: %s", problem));
        ConfigurationCheck.require(problems);
    }
}
