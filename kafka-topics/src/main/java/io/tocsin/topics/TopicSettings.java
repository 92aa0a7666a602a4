package io.tocsin.topics;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** How a service creates the topics it produces to, under {@code tocsin.kafka.topics} (docs/topics.md "Creation"). */
@ConfigMapping(prefix = "tocsin.kafka.topics")
public interface TopicSettings {

    /**
     * The topics this service produces to, its dead-letter topics included; each service's application.properties names them.
     */
    Optional<List<String>> names();

    /**
     * Partitions of a topic created here ({@code TOCSIN_KAFKA_TOPICS_PARTITIONS}); escalation runs three consumers per
     * instance.
     */
    @WithDefault("6")
    int partitions();

    /**
     * Replication factor of a topic created here ({@code TOCSIN_KAFKA_TOPICS_REPLICATION_FACTOR}); unset takes the broker's
     * {@code default.replication.factor} (1 on a single local broker). Production: 3.
     */
    Optional<Integer> replicationFactor();

    /**
     * {@code min.insync.replicas} of a topic created here ({@code TOCSIN_KAFKA_TOPICS_MIN_INSYNC_REPLICAS}); unset takes the
     * broker's. Production: 2, so a 2xx after {@code acks=all} means two brokers have the record.
     */
    Optional<Integer> minInsyncReplicas();

    /** How long the start waits for the broker to list, create and describe the topics before it fails. */
    @WithDefault("30s")
    Duration timeout();
}
