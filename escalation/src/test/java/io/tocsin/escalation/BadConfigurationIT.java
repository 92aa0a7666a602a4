package io.tocsin.escalation;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.tocsin.testsupport.KafkaBroker;
import io.tocsin.testsupport.PostgresDatabase;

/**
 * The packaged service, given a Slack channel its built-in policy refuses and a token too short, refuses to start:
 * it exits non-zero, and its log has one ERROR line per problem naming the variable. (Before, it started, reported
 * ready and dead-lettered every alert it read.)
 */
class BadConfigurationIT {

    @Test
    void aBadSlackChannelAndAShortTokenStopTheStartWithALineEach() throws Exception {
        KafkaBroker broker = KafkaBroker.shared();
        Path log = Path.of("target", "bad-configuration-it.log");
        Files.deleteIfExists(log);
        try (PostgresDatabase database = PostgresDatabase.create()) {
            Path jar = Path.of("target", "quarkus-app", "quarkus-run.jar");
            assertThat(jar).as("the packaged service (mvn package runs before failsafe)").exists();
            ProcessBuilder builder = new ProcessBuilder(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-jar",
                    jar.toString()).redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().putAll(Map.of(
                    "TOCSIN_KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers(),
                    "TOCSIN_DB_HOST", database.host(),
                    "TOCSIN_DB_PORT", Integer.toString(database.port()),
                    "TOCSIN_DB_NAME", database.name(),
                    "TOCSIN_DB_USER", database.user(),
                    "TOCSIN_API_TOKENS", "oncall:too-short",
                    "TOCSIN_SLACK_CHANNEL", "Incidents",
                    "QUARKUS_HTTP_PORT", Integer.toString(EscalationRestartIT.freePort())));
            builder.environment().remove("TOCSIN_ESCALATION_POLICY_FILE");
            Process service = builder.start();
            try {
                assertThat(service.waitFor(90, TimeUnit.SECONDS)).as("it stopped by itself").isTrue();
                assertThat(service.exitValue()).isNotZero();
            } finally {
                service.destroyForcibly();
            }
        }
        List<String> lines = Files.readAllLines(log);
        assertThat(lines).filteredOn(line -> line.contains(" ERROR ") && line.contains("invalid configuration: "))
                .hasSize(5)
                .anySatisfy(line -> assertThat(line).contains("TOCSIN_API_TOKENS: entry 1 (oncall): the token is "
                        + "shorter than 16 characters"))
                .filteredOn(line -> line.contains("default-policy.yaml:")).hasSize(4)
                .allSatisfy(line -> assertThat(line).contains("\"Incidents\" is not a Slack channel")
                        .endsWith("(the value comes from TOCSIN_SLACK_CHANNEL)"));
        assertThat(lines).as("no stack trace is the explanation").noneMatch(line -> line.startsWith("\tat "));
        assertThat(lines).noneMatch(line -> line.contains("Profile prod activated"));
    }
}
