package io.tocsin.topics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.tocsin.testsupport.KafkaBroker;

/** Against a real single-node broker: what is missing is created as configured, what exists is left alone. */
class KafkaTopicsTest {

    private static KafkaBroker broker;
    private static Admin admin;

    @BeforeAll
    static void start() {
        broker = KafkaBroker.start();
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
    }

    @AfterAll
    static void stop() {
        admin.close();
        broker.close();
    }

    @Test
    void createsMissingTopicsWithTheConfiguredSettingsAndLeavesExistingOnesAlone() {
        broker.createTopic("existing.v1", 2);

        Map<String, TopicState> states = KafkaTopics.ensure(admin, settings(4, Optional.of(1), Optional.of(1)),
                List.of("made.v1", "existing.v1"));

        assertThat(states.get("made.v1")).isEqualTo(new TopicState("made.v1", 4, 1, 1, true));
        assertThat(states.get("existing.v1")).isEqualTo(new TopicState("existing.v1", 2, 1, 1, false));
        assertThat(states.get("made.v1").durable()).isFalse();
        assertThat(KafkaTopics.ensure(admin, settings(4, Optional.empty(), Optional.empty()), List.of("made.v1"))
                .get("made.v1").created()).as("a second start finds it").isFalse();
    }

    @Test
    void aBrokerThatRefusesFailsWithALineNamingTheTopicAndTheSettings() {
        assertThatThrownBy(() -> KafkaTopics.ensure(admin, settings(6, Optional.of(3), Optional.of(2)),
                List.of("refused.v1")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("could not create topic refused.v1")
                .hasMessageContaining("replication-factor 3, min-insync-replicas 2")
                .hasMessageContaining("InvalidReplicationFactorException");
    }

    private static TopicSettings settings(int partitions, Optional<Integer> replicationFactor,
            Optional<Integer> minInsyncReplicas) {
        return new TopicSettings() {
            @Override
            public Optional<List<String>> names() {
                return Optional.empty();
            }

            @Override
            public int partitions() {
                return partitions;
            }

            @Override
            public Optional<Integer> replicationFactor() {
                return replicationFactor;
            }

            @Override
            public Optional<Integer> minInsyncReplicas() {
                return minInsyncReplicas;
            }

            @Override
            public Duration timeout() {
                return Duration.ofSeconds(20);
            }
        };
    }
}
