package io.tocsin.notifier.messaging;

import java.util.Collection;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;

import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;

/**
 * Lets the urgent lane forget the incidents it took whenever its partitions move: events of them it did not see may
 * follow (another instance's lane had the partition, or none), and only the main lane applies them in order from there.
 */
@ApplicationScoped
@Identifier(UrgentLaneRebalance.NAME)
public class UrgentLaneRebalance implements KafkaConsumerRebalanceListener {

    /** As named by {@code mp.messaging.incoming.incidents-urgent.consumer-rebalance-listener.name}. */
    public static final String NAME = "notifier-urgent-rebalance";

    private final UrgentEventConsumer lane;

    public UrgentLaneRebalance(UrgentEventConsumer lane) {
        this.lane = lane;
    }

    @Override
    public void onPartitionsRevoked(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        lane.forgetAll();
    }

    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        // Also here: an incident.opened polled before a revocation may have been taken after it was forgotten.
        lane.forgetAll();
    }

    @Override
    public void onPartitionsLost(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        lane.forgetAll();
    }
}
