package io.tocsin.testsupport;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Points a {@code @QuarkusTest} application at a real in-JVM Kafka broker. By default every test shares one broker;
 * with the init argument {@code dedicated=true} the application gets a broker of its own, which a test may stop and
 * restart without disturbing others. A test receives the broker in a field marked {@link InjectKafkaBroker}.
 */
public class KafkaTestResource implements QuarkusTestResourceLifecycleManager {

    /** Init argument: {@code true} for a broker of the application's own. */
    public static final String DEDICATED = "dedicated";

    private boolean dedicated;
    private KafkaBroker broker;

    @Override
    public void init(Map<String, String> initArgs) {
        dedicated = Boolean.parseBoolean(initArgs.getOrDefault(DEDICATED, "false"));
    }

    @Override
    public Map<String, String> start() {
        broker = dedicated ? KafkaBroker.start() : KafkaBroker.shared();
        return Map.of("kafka.bootstrap.servers", broker.bootstrapServers());
    }

    @Override
    public void inject(TestInjector testInjector) {
        testInjector.injectIntoFields(broker,
                new TestInjector.AnnotatedAndMatchesType(InjectKafkaBroker.class, KafkaBroker.class));
    }

    @Override
    public void stop() {
        if (dedicated && broker != null) {
            broker.close();
        }
    }
}
