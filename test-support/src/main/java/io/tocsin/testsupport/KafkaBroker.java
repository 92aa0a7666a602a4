package io.tocsin.testsupport;

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
import org.apache.kafka.common.utils.Exit;

import kafka.server.BrokerServer;

/**
 * A real single-node KRaft Kafka cluster inside the test JVM (combined broker and controller, about 1.5 s to start).
 * The broker can be stopped and started again on the same port with its data kept, to test what clients do while
 * Kafka is away.
 */
public final class KafkaBroker implements AutoCloseable {

    private static KafkaBroker shared;

    static {
        // Kafka exits or halts the JVM on errors it deems fatal, which its shutdown can meet while the test JVM exits
        // too; the test run, not the broker, decides how the JVM ends.
        Exit.setExitProcedure((status, message) -> System.err.println("[kafka-test-broker] Kafka asked to exit("
                + status + "): " + message + "; ignored"));
        Exit.setHaltProcedure((status, message) -> System.err.println("[kafka-test-broker] Kafka asked to halt("
                + status + "): " + message + "; ignored"));
    }

    private final KafkaClusterTestKit cluster;
    private final String bootstrapServers;

    private KafkaBroker(KafkaClusterTestKit cluster) {
        this.cluster = cluster;
        this.bootstrapServers = cluster.bootstrapServers();
    }

    /** The broker shared by every test of this JVM; started on first use, closed when the JVM exits. */
    public static synchronized KafkaBroker shared() {
        if (shared == null) {
            shared = start();
            Runtime.getRuntime().addShutdownHook(new Thread(shared::close, "kafka-test-broker-shutdown"));
        }
        return shared;
    }

    /** Starts a new broker that belongs to the caller, who must {@link #close()} it. */
    public static KafkaBroker start() {
        try {
            TestKitNodes nodes = new TestKitNodes.Builder()
                    .setCombined(true)
                    .setNumBrokerNodes(1)
                    .setNumControllerNodes(1)
                    .build();
            KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(nodes)
                    .setConfigProp("num.partitions", 3)
                    .setConfigProp("group.initial.rebalance.delay.ms", 0)
                    .setConfigProp("auto.create.topics.enable", true)
                    .setConfigProp("offsets.topic.replication.factor", (short) 1)
                    .setConfigProp("offsets.topic.num.partitions", 5)
                    .setConfigProp("transaction.state.log.replication.factor", (short) 1)
                    .setConfigProp("transaction.state.log.min.isr", 1)
                    .setConfigProp("transaction.state.log.num.partitions", 5)
                    .build();
            cluster.format();
            cluster.startup();
            cluster.waitForReadyBrokers();
            return new KafkaBroker(cluster);
        } catch (Exception e) {
            throw new IllegalStateException("could not start the in-JVM Kafka broker", e);
        }
    }

    /** The {@code host:port} list clients connect to; stays the same across {@link #stop()} and {@link #restart()}. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** Shuts the broker down (the controller stays up); clients see Kafka as unreachable. */
    public void stop() {
        brokers().values().forEach(BrokerServer::shutdown);
    }

    /** Starts a stopped broker again on the same port, with the data it had, and waits until it serves requests. */
    public void restart() {
        brokers().values().forEach(BrokerServer::startup);
        try {
            cluster.waitForReadyBrokers();
        } catch (ExecutionException e) {
            throw new IllegalStateException("the restarted broker did not become ready", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Creates a topic if it does not exist yet. */
    public void createTopic(String name, int partitions) {
        Properties config = new Properties();
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        try (Admin admin = Admin.create(config)) {
            admin.createTopics(Set.of(new NewTopic(name, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
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
            throw new IllegalStateException("could not stop the in-JVM Kafka broker", e);
        }
    }
}
