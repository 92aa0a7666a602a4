package io.tocsin.testsupport;

import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

import kafka.server.BrokerServer;

/**
 * A real KRaft Kafka cluster of several brokers and one controller inside the test JVM, replicated as production is
 * (replication factor = brokers, and the given {@code min.insync.replicas}). One broker can be stopped and started again
 * on its port, with its data, to test what clients do while a replica is away. The controller listener takes a random
 * port (never 9093).
 */
public final class KafkaCluster implements AutoCloseable {

    private final KafkaClusterTestKit cluster;
    private final String bootstrapServers;
    private final short replicationFactor;

    private KafkaCluster(KafkaClusterTestKit cluster, short replicationFactor) {
        this.cluster = cluster;
        this.bootstrapServers = cluster.bootstrapServers();
        this.replicationFactor = replicationFactor;
    }

    /**
     * Starts {@code nodes} brokers and one controller; topics default to that replication factor. (Three combined
     * nodes lost their quorum on a loaded two-core machine: raft threads failed on "unexpected invalid request error".)
     */
    public static KafkaCluster start(int nodes, int minInsyncReplicas) {
        try {
            initExitProcedures();
            short factor = (short) nodes;
            TestKitNodes testNodes = new TestKitNodes.Builder()
                    .setCombined(false)
                    .setNumBrokerNodes(nodes)
                    .setNumControllerNodes(1)
                    .build();
            KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(testNodes)
                    .setConfigProp("num.partitions", 3)
                    .setConfigProp("default.replication.factor", (int) factor)
                    .setConfigProp("min.insync.replicas", minInsyncReplicas)
                    .setConfigProp("group.initial.rebalance.delay.ms", 0)
                    .setConfigProp("auto.create.topics.enable", true)
                    .setConfigProp("offsets.topic.replication.factor", factor)
                    .setConfigProp("offsets.topic.num.partitions", 5)
                    .setConfigProp("transaction.state.log.replication.factor", factor)
                    .setConfigProp("transaction.state.log.min.isr", minInsyncReplicas)
                    .setConfigProp("transaction.state.log.num.partitions", 5)
                    // A stopped replica leaves the ISR quickly, so acks=all writes go on with the other two.
                    .setConfigProp("replica.lag.time.max.ms", 3000)
                    .build();
            cluster.format();
            cluster.startup();
            cluster.waitForReadyBrokers();
            return new KafkaCluster(cluster, factor);
        } catch (Exception e) {
            throw new IllegalStateException("could not start the in-JVM Kafka cluster", e);
        }
    }

    /** Kafka's exit and halt procedures are replaced once for the JVM by KafkaBroker's static initializer. */
    private static void initExitProcedures() {
        try {
            Class.forName(KafkaBroker.class.getName(), true, KafkaCluster.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The {@code host:port} list of every broker; stays the same across {@link #stopBroker} and {@link #startBroker}. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** The node ids of the brokers, in order. */
    public List<Integer> brokerIds() {
        return brokers().keySet().stream().sorted().toList();
    }

    /** Shuts one broker down (its controller stays in the quorum); its partitions move to the others. */
    public void stopBroker(int id) {
        brokers().get(id).shutdown();
    }

    /** Starts a stopped broker again on the same port with the data it had, and waits until every broker serves. */
    public void startBroker(int id) {
        brokers().get(id).startup();
        try {
            cluster.waitForReadyBrokers();
        } catch (ExecutionException e) {
            throw new IllegalStateException("the restarted broker " + id + " did not become ready", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Creates a topic with the cluster's replication factor, if it does not exist yet. */
    public void createTopic(String name, int partitions) {
        Properties config = new Properties();
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        try (Admin admin = Admin.create(config)) {
            admin.createTopics(Set.of(new NewTopic(name, partitions, replicationFactor))).all()
                    .get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("could not create topic " + name, e);
            }
        } catch (Exception e) {
            throw new IllegalStateException("could not create topic " + name, e);
        }
    }

    @SuppressWarnings({ "unchecked", "rawtypes" })
    private Map<Integer, BrokerServer> brokers() {
        return (Map) cluster.brokers();
    }

    @Override
    public void close() {
        try {
            cluster.close();
        } catch (Exception e) {
            throw new IllegalStateException("could not stop the in-JVM Kafka cluster", e);
        }
    }
}
