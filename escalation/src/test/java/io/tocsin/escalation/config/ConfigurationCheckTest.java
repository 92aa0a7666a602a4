package io.tocsin.escalation.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.quarkus.runtime.configuration.ConfigurationException;

class ConfigurationCheckTest {

    private static final String TOKENS = "oncall:a-token-of-enough-length";
    private static final String KAFKA = "localhost:9092";

    @Test
    void aGoodConfigurationHasNoProblems() {
        assertThat(ConfigurationCheck.problems(config(TOKENS, null), KAFKA, Map.<String, String> of()::get)).isEmpty();
        assertThat(ConfigurationCheck.problems(config(TOKENS, null), KAFKA,
                Map.of("TOCSIN_SLACK_CHANNEL", "#ops <@U123ABC>", "TOCSIN_PAGERDUTY_ROUTING_KEY", "abc")::get))
                .isEmpty();
    }

    @Test
    void aSlackChannelTheBuiltInPolicyRefusesIsNamedWithItsVariable() {
        List<String> problems = ConfigurationCheck.problems(config(TOKENS, null), KAFKA,
                Map.of("TOCSIN_SLACK_CHANNEL", "Incidents")::get);
        // The built-in policy uses the channel at four places: each is a line of its own.
        assertThat(problems).hasSize(4).allSatisfy(problem -> assertThat(problem)
                .matches("default-policy\\.yaml:\\d+: policies\\[\\d]\\.levels\\[\\d]\\.notify\\[0]\\.slack: "
                        + "\"Incidents\" is not a Slack channel.*")
                .endsWith("(the value comes from TOCSIN_SLACK_CHANNEL)"));
    }

    @Test
    void everyTokenProblemIsNamedAndNoTokenIsShown() {
        List<String> problems = ConfigurationCheck.problems(config(
                "oncall:short,noseparator,ops:another-long-enough-token,ops:yet-another-long-enough-token,", null),
                KAFKA, Map.<String, String> of()::get);
        assertThat(problems).containsExactly(
                "TOCSIN_API_TOKENS: entry 1 (oncall): the token is shorter than 16 characters",
                "TOCSIN_API_TOKENS: entry 2 is not of the form name:token",
                "TOCSIN_API_TOKENS: entry 4 (ops): the name is used twice",
                "TOCSIN_API_TOKENS: entry 5 is empty");
        assertThat(String.join("\n", problems)).doesNotContain("short,").doesNotContain("yet-another");
        assertThat(ConfigurationCheck.problems(config(null, null), KAFKA, Map.<String, String> of()::get))
                .singleElement().asString().startsWith("TOCSIN_API_TOKENS: no tokens configured");
    }

    @Test
    void durationsAttemptsGroupingAndKafkaAreChecked() {
        EscalationConfig config = new Config(TOKENS, null, Duration.ofMinutes(-1), Duration.ZERO, 0,
                List.of("alertname", "service|"));
        assertThat(ConfigurationCheck.problems(config, "localhost,broker:99999", Map.<String, String> of()::get))
                .containsExactly(
                        "TOCSIN_ESCALATION_TIMER_INTERVAL: is PT0S; it must be longer than zero",
                        "TOCSIN_ESCALATION_FLAP_WINDOW: is PT-1M; it must not be negative",
                        "TOCSIN_ESCALATION_TIMER_ATTEMPTS: is 0; at least 1",
                        "TOCSIN_ESCALATION_GROUP_BY: is \"alertname,service|\"; a list of labels such as "
                                + "alertname,service|job (no empty ones)",
                        "TOCSIN_KAFKA_BOOTSTRAP_SERVERS: \"localhost\" is not host:port (port 1-65535)",
                        "TOCSIN_KAFKA_BOOTSTRAP_SERVERS: \"broker:99999\" is not host:port (port 1-65535)");
    }

    @Test
    void aPolicyFileIsNamedByItsVariableWhenUnreadableAndByFileAndLineWhenWrong(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("missing.yaml");
        assertThat(ConfigurationCheck.problems(config(TOKENS, missing.toString()), KAFKA,
                Map.<String, String> of()::get)).containsExactly("TOCSIN_ESCALATION_POLICY_FILE: names " + missing
                        + ", which cannot be read (NoSuchFileException)");

        Path wrong = Files.writeString(dir.resolve("policy.yaml"), """
                version: 1
                policies:
                  - name: only
                    levels:
                      - after: soon
                        notify: [{email: "${TEAM_MAIL}"}]
                """);
        assertThat(ConfigurationCheck.problems(config(TOKENS, wrong.toString()), KAFKA,
                Map.of("TEAM_MAIL", "not-an-address")::get)).hasSize(2)
                .anySatisfy(problem -> assertThat(problem).startsWith(wrong + ":5: policies[0].levels[0].after"))
                .anySatisfy(problem -> assertThat(problem).startsWith(wrong + ":6: ")
                        .contains("\"not-an-address\" is not an e-mail address")
                        .endsWith("(the value comes from TEAM_MAIL)"));
    }

    @Test
    void anyProblemRefusesTheStartWithEveryProblemInTheMessage() {
        assertThatThrownBy(() -> ConfigurationCheck.require(List.of("A: wrong", "B: wrong too")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("escalation refuses to start: 2 configuration problems: A: wrong; B: wrong too");
        ConfigurationCheck.require(List.of()); // no problem, no exception
    }

    private static EscalationConfig config(String tokens, String policyFile) {
        return new Config(tokens, policyFile, Duration.ofMinutes(5), Duration.ofSeconds(1), 5,
                List.of("alertname", "service|job", "cluster|namespace"));
    }

    private record Config(String tokens, String policy, Duration flapWindow, Duration timerInterval,
            int timerAttempts, List<String> groupBy) implements EscalationConfig {

        @Override
        public Optional<String> apiTokens() {
            return Optional.ofNullable(tokens);
        }

        @Override
        public Optional<String> policyFile() {
            return Optional.ofNullable(policy);
        }

        @Override
        public boolean bulkIntake() {
            return true;
        }

        @Override
        public boolean urgentLane() {
            return true;
        }
    }
}
