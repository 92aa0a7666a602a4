package io.tocsin.notifier.config;

import java.util.List;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.quarkus.runtime.StartupEvent;

/**
 * Refuses to start the notifier with a configuration mistake: one ERROR line per problem, then Quarkus exits non-zero
 * (a {@code ConfigurationException} is printed without a stack trace). Runs before the Kafka consumers start, so no
 * record is read with a configuration that cannot handle it.
 */
@ApplicationScoped
public class StartupCheck {

    private static final Logger LOG = Logger.getLogger(StartupCheck.class);

    private final NotifierConfig config;
    private final String kafkaServers;

    public StartupCheck(NotifierConfig config, @ConfigProperty(name = "kafka.bootstrap.servers") String kafkaServers) {
        this.config = config;
        this.kafkaServers = kafkaServers;
    }

    void onStart(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent event) {
        List<String> problems = ConfigurationCheck.problems(config, kafkaServers);
        problems.forEach(problem -> LOG.errorf("invalid configuration: %s", problem));
        ConfigurationCheck.require(problems);
    }
}
