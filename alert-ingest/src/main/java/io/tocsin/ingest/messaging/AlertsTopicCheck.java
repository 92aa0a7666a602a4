package io.tocsin.ingest.messaging;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigUtils;
import io.tocsin.ingest.config.IngestConfig;
import io.tocsin.topics.KafkaTopics;
import io.tocsin.topics.TopicState;

/**
 * Says on {@code /q/health} whether the alerts topic can make a 2xx durable (two replicas must have each record), and
 * is DOWN when it cannot while {@code tocsin.ingest.require-durable-topic} is set.
 */
@Readiness
@ApplicationScoped
public class AlertsTopicCheck implements HealthCheck {

    private static final Logger LOG = Logger.getLogger(AlertsTopicCheck.class);

    private final KafkaTopics topics;
    private final String topic;
    private final boolean required;

    public AlertsTopicCheck(KafkaTopics topics, IngestConfig config,
            @ConfigProperty(name = "mp.messaging.outgoing.alerts.topic") String topic) {
        this.topics = topics;
        this.topic = topic;
        this.required = config.requireDurableTopic();
    }

    /** Once, after the topics were made: a non-durable topic outside local runs is worth a line an operator will see. */
    void warnOnStart(@Observes StartupEvent start) {
        TopicState state = topics.state(topic).orElse(null);
        boolean local = ConfigUtils.getProfiles().stream().anyMatch(p -> p.equals("dev") || p.equals("test")
                || p.equals("local"));
        if (state != null && !state.durable() && !local) {
            LOG.warnf("Kafka topic %s has replication factor %d and min.insync.replicas %d: a 2xx does not survive the"
                    + " loss of one broker. Set TOCSIN_KAFKA_TOPICS_REPLICATION_FACTOR=3 and"
                    + " TOCSIN_KAFKA_TOPICS_MIN_INSYNC_REPLICAS=2 (an existing topic: kafka-configs / kafka-reassign-partitions),"
                    + " and TOCSIN_INGEST_REQUIRE_DURABLE_TOPIC=true to refuse readiness until then",
                    topic, state.replicationFactor(), state.minInsyncReplicas());
        }
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("alerts-topic").withData("topic", topic)
                .withData("durableRequired", required);
        TopicState state = topics.state(topic).orElse(null);
        if (state == null) {
            return response.withData("durable", false).status(!required).build();
        }
        return response.withData("partitions", state.partitions())
                .withData("replicationFactor", state.replicationFactor())
                .withData("minInsyncReplicas", state.minInsyncReplicas())
                .withData("durable", state.durable())
                .status(state.durable() || !required)
                .build();
    }
}
