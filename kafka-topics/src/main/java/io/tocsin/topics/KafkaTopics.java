package io.tocsin.topics;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import jakarta.interceptor.Interceptor;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.jboss.logging.Logger;

import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;

/**
 * Creates the topics a service produces to ({@code tocsin.kafka.topics.names}) at its start, before messaging starts,
 * with the configured partitions, replication factor and {@code min.insync.replicas}, so that no topic is left to the
 * broker's auto-creation and its defaults. A topic that exists is left as it is. When the broker cannot be reached or
 * refuses, the start fails with a line naming the topic and the settings.
 */
@Singleton
public class KafkaTopics {

    private static final Logger LOG = Logger.getLogger(KafkaTopics.class);

    private final TopicSettings settings;
    private final Map<String, Object> kafka;
    private volatile Map<String, TopicState> states = Map.of();

    /** @param kafka the application's {@code kafka.*} settings (bootstrap servers, security), as Quarkus gathers them */
    public KafkaTopics(TopicSettings settings, @Identifier("default-kafka-broker") Map<String, Object> kafka) {
        this.settings = settings;
        this.kafka = kafka;
    }

    /**
     * After each service's configuration check (at {@code PLATFORM_BEFORE}), so a mistake is named before any wait
     * for the broker; before messaging starts its channels (at {@code LIBRARY_BEFORE}).
     */
    void onStart(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE + 500) StartupEvent start) {
        List<String> names = settings.names().orElse(List.of());
        if (names.isEmpty()) {
            return;
        }
        Map<String, Object> config = new HashMap<>();
        kafka.forEach((key, value) -> {
            if (AdminClientConfig.configNames().contains(key)) {
                config.put(key, value);
            }
        });
        config.put(AdminClientConfig.CLIENT_ID_CONFIG, "tocsin-topics");
        try (Admin admin = Admin.create(config)) {
            states = ensure(admin, settings, names);
        }
    }

    /** The topic as the start found or made it; empty for a topic this service does not create. */
    public Optional<TopicState> state(String topic) {
        return Optional.ofNullable(states.get(topic));
    }

    /**
     * Creates the missing ones of {@code names} and describes them all.
     *
     * @throws IllegalStateException naming the topic and the settings when the broker refuses or does not answer in time
     */
    public static Map<String, TopicState> ensure(Admin admin, TopicSettings settings, List<String> names) {
        long timeout = settings.timeout().toMillis();
        Set<String> existing = call(() -> admin.listTopics().names().get(timeout, TimeUnit.MILLISECONDS),
                "list the topics", settings);
        List<String> created = new ArrayList<>();
        for (String name : names) {
            if (existing.contains(name)) {
                continue;
            }
            NewTopic topic = new NewTopic(name, Optional.of(settings.partitions()),
                    settings.replicationFactor().map(Integer::shortValue));
            settings.minInsyncReplicas().ifPresent(
                    value -> topic.configs(Map.of(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Integer.toString(value))));
            try {
                admin.createTopics(List.of(topic)).all().get(timeout, TimeUnit.MILLISECONDS);
                created.add(name);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) { // else another instance created it just now
                    throw refused("create topic " + name, e.getCause(), settings);
                }
            } catch (TimeoutException e) {
                throw refused("create topic " + name, e, settings);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw refused("create topic " + name, e, settings);
            }
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeout);
        Map<String, TopicDescription> descriptions = untilKnown(deadline, () -> call(
                () -> admin.describeTopics(names).allTopicNames().get(timeout, TimeUnit.MILLISECONDS),
                "describe topics " + names, settings));
        List<ConfigResource> resources = names.stream()
                .map(name -> new ConfigResource(ConfigResource.Type.TOPIC, name)).toList();
        Map<ConfigResource, Config> configs = untilKnown(deadline, () -> call(
                () -> admin.describeConfigs(resources).all().get(timeout, TimeUnit.MILLISECONDS),
                "describe the settings of topics " + names, settings));
        Map<String, TopicState> states = new LinkedHashMap<>();
        for (String name : names) {
            TopicDescription description = descriptions.get(name);
            int replicas = description.partitions().stream().mapToInt(p -> p.replicas().size()).min().orElse(0);
            var minIsr = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, name))
                    .get(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG);
            TopicState state = new TopicState(name, description.partitions().size(), replicas,
                    minIsr == null ? 1 : Integer.parseInt(minIsr.value()), created.contains(name));
            states.put(name, state);
            log(state, settings, description.partitions());
        }
        return Map.copyOf(states);
    }

    private static void log(TopicState state, TopicSettings settings, List<TopicPartitionInfo> partitions) {
        String what = state.partitions() + " partitions, replication factor " + state.replicationFactor()
                + ", min.insync.replicas " + state.minInsyncReplicas();
        if (state.created()) {
            LOG.infof("created Kafka topic %s: %s", state.name(), what);
        } else if (state.partitions() != settings.partitions()) {
            LOG.warnf("Kafka topic %s exists with %s (tocsin.kafka.topics.partitions is %d); left as it is",
                    state.name(), what, settings.partitions());
        } else {
            LOG.infof("Kafka topic %s exists: %s", state.name(), what);
        }
    }

    /**
     * A topic created a moment ago may not yet be in the metadata of the broker that answers a describe
     * ({@link UnknownTopicOrPartitionException}); asks again, briefly, until the deadline.
     */
    private static <T> T untilKnown(long deadline, Supplier<T> describe) {
        while (true) {
            try {
                return describe.get();
            } catch (IllegalStateException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
                    throw e;
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
                if (Thread.currentThread().isInterrupted()) {
                    throw e;
                }
            }
        }
    }

    private interface Call<T> {
        T get() throws ExecutionException, TimeoutException, InterruptedException;
    }

    private static <T> T call(Call<T> call, String what, TopicSettings settings) {
        try {
            return call.get();
        } catch (ExecutionException e) {
            throw refused(what, e.getCause(), settings);
        } catch (TimeoutException e) {
            throw refused(what, e, settings);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw refused(what, e, settings);
        }
    }

    private static IllegalStateException refused(String what, Throwable cause, TopicSettings settings) {
        String reason = cause instanceof TimeoutException ? "no answer from Kafka within " + settings.timeout().toSeconds()
                + " s (tocsin.kafka.topics.timeout)" : cause.getClass().getSimpleName() + ": " + cause.getMessage();
        return new IllegalStateException("could not " + what + " (tocsin.kafka.topics: partitions "
                + settings.partitions() + ", replication-factor "
                + settings.replicationFactor().map(String::valueOf).orElse("the broker's default")
                + ", min-insync-replicas "
                + settings.minInsyncReplicas().map(String::valueOf).orElse("the broker's default") + "): " + reason,
                cause);
    }
}
