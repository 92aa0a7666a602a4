package io.tocsin.ingest.messaging;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.tocsin.events.Topics;
import io.tocsin.testsupport.InjectKafkaBroker;
import io.tocsin.testsupport.KafkaBroker;
import io.tocsin.testsupport.KafkaTestResource;

/**
 * On a broker of its own, alert-ingest creates its topic at start as configured; with durability required, one
 * replica is not ready.
 */
@QuarkusTest
@TestProfile(AlertsTopicTest.DurableRequired.class)
@WithTestResource(value = KafkaTestResource.class, initArgs = @ResourceArg(name = KafkaTestResource.DEDICATED, value = "true"))
class AlertsTopicTest {

    /** Four partitions (the broker's default is three), one replica, durability required. */
    public static class DurableRequired implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("tocsin.kafka.topics.partitions", "4",
                    "tocsin.kafka.topics.replication-factor", "1",
                    "tocsin.kafka.topics.min-insync-replicas", "1",
                    "tocsin.ingest.require-durable-topic", "true");
        }
    }

    @InjectKafkaBroker
    KafkaBroker broker;

    @Test
    void theTopicIsCreatedAtStartWithTheConfiguredSettings() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            TopicDescription topic = admin.describeTopics(List.of(Topics.ALERTS)).allTopicNames()
                    .get(30, TimeUnit.SECONDS).get(Topics.ALERTS);
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, Topics.ALERTS);
            var minIsr = admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource)
                    .get("min.insync.replicas");

            assertThat(topic.partitions()).hasSize(4);
            assertThat(topic.partitions()).allSatisfy(partition -> assertThat(partition.replicas()).hasSize(1));
            assertThat(minIsr.value()).isEqualTo("1");
            assertThat(minIsr.isDefault()).as("set on the topic, not the broker's default").isFalse();
        }
    }

    @Test
    void readinessIsDownWhileTheTopicCannotMakeA2xxDurable() {
        given().get("/q/health/ready")
                .then().statusCode(503)
                .body("checks.find { it.name == 'alerts-topic' }.status", equalTo("DOWN"))
                .body("checks.find { it.name == 'alerts-topic' }.data.replicationFactor", equalTo(1))
                .body("checks.find { it.name == 'alerts-topic' }.data.partitions", equalTo(4))
                .body("checks.find { it.name == 'kafka' }.status", equalTo("UP"));
    }
}
