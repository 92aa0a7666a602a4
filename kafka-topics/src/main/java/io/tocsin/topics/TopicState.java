package io.tocsin.topics;

/**
 * A topic as the broker described it after the start created it or found it.
 *
 * @param name the topic
 * @param partitions its partition count
 * @param replicationFactor the fewest replicas any of its partitions has
 * @param minInsyncReplicas its effective {@code min.insync.replicas}
 * @param created whether this start created it (else it existed and was left as it is)
 */
public record TopicState(String name, int partitions, int replicationFactor, int minInsyncReplicas, boolean created) {

    /** Whether a record acknowledged with {@code acks=all} is on two brokers or more, so one broker's loss keeps it. */
    public boolean durable() {
        return replicationFactor >= 2 && minInsyncReplicas >= 2;
    }
}
