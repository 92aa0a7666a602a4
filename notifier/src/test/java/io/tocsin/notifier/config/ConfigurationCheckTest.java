package io.tocsin.notifier.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;

/** The notifier's settings as SmallRye Config maps them at start, checked without starting the application. */
class ConfigurationCheckTest {

    private static final String KAFKA = "localhost:9092";

    @Test
    void theDefaultsWithNothingConfiguredHaveNoProblems() {
        assertThat(problems(Map.of(), KAFKA)).isEmpty();
        assertThat(problems(Map.of("tocsin.notifier.slack.bot-token", "xoxb-1-2-3",
                "tocsin.notifier.slack.signing-secret", "8f742231b10e8888abcd99yyyzzz85a5",
                "tocsin.notifier.webhook.signing-secret", "a-long-enough-webhook-secret"), KAFKA)).isEmpty();
    }

    @Test
    void everyProblemIsOneLineNamingItsVariableAndNoSecretIsShown() {
        Map<String, String> settings = new HashMap<>();
        settings.put("tocsin.notifier.slack.api-url", "slack.com/api/");
        settings.put("tocsin.notifier.pagerduty.events-url", "ftp://events.pagerduty.com/v2/enqueue");
        settings.put("tocsin.notifier.slack.bot-token", "T0KEN-that-is-not-slack");
        settings.put("tocsin.notifier.slack.thread-replies", "chatty");
        settings.put("tocsin.notifier.slack.channel-interval", "0s");
        settings.put("tocsin.notifier.slack.digest.threshold", "-1");
        settings.put("tocsin.notifier.webhook.signing-secret", "short-secret");
        settings.put("tocsin.notifier.delivery.first-backoff", "10s");
        settings.put("tocsin.notifier.delivery.max-backoff", "5s");
        settings.put("tocsin.notifier.delivery.max-attempts", "0");

        List<String> problems = problems(settings, "localhost");

        assertThat(problems).containsExactly(
                "TOCSIN_SLACK_API_URL: \"slack.com/api/\" is not an absolute http(s) URL",
                "TOCSIN_PAGERDUTY_EVENTS_URL: \"ftp://events.pagerduty.com/v2/enqueue\" is not an absolute http(s) URL",
                "TOCSIN_SLACK_BOT_TOKEN: is not a Slack token (a bot token starts with xoxb-)",
                "TOCSIN_SLACK_SIGNING_SECRET: is empty while TOCSIN_SLACK_BOT_TOKEN is set; every button press would "
                        + "be refused (the app's Basic Information page shows it)",
                "TOCSIN_NOTIFIER_SLACK_THREAD_REPLIES: \"chatty\" is not a level; use quiet, normal or verbose",
                "TOCSIN_NOTIFIER_SLACK_CHANNEL_INTERVAL: is PT0S; it must be longer than zero",
                "TOCSIN_NOTIFIER_SLACK_DIGEST_THRESHOLD: is -1; 0 turns the storm digest off, more folds past that "
                        + "many new incidents",
                "TOCSIN_WEBHOOK_SIGNING_SECRET: is shorter than 16 characters",
                "TOCSIN_NOTIFIER_DELIVERY_MAX_BACKOFF: is PT5S, shorter than TOCSIN_NOTIFIER_DELIVERY_FIRST_BACKOFF "
                        + "(PT10S)",
                "TOCSIN_NOTIFIER_DELIVERY_MAX_ATTEMPTS: is 0; at least 1",
                "TOCSIN_KAFKA_BOOTSTRAP_SERVERS: \"localhost\" is not host:port (port 1-65535)");
        assertThat(String.join("\n", problems)).doesNotContain("T0KEN").doesNotContain("short-secret");
    }

    private static List<String> problems(Map<String, String> overrides, String kafka) {
        Map<String, String> properties = new HashMap<>(Map.of(
                "tocsin.notifier.slack.api-url", "https://slack.com/api/",
                "tocsin.notifier.pagerduty.events-url", "https://events.pagerduty.com/v2/enqueue",
                "tocsin.notifier.incident-url", "http://127.0.0.1:8082/api/v1/incidents/"));
        properties.putAll(overrides);
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withConverter(java.time.Duration.class, 200, new DurationConverter())
                .withSources(new PropertiesConfigSource(properties, "test", 500))
                .withMapping(NotifierConfig.class)
                .build();
        return ConfigurationCheck.problems(config.getConfigMapping(NotifierConfig.class), kafka);
    }
}
