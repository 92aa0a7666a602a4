package io.tocsin.notifier.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import io.quarkus.runtime.configuration.ConfigurationException;
import io.tocsin.notifier.domain.ThreadReplies;
import io.tocsin.topics.BootstrapServers;

/**
 * Every problem in the notifier's configuration, found before it reads a single event: one line each, naming the
 * variable. A mistake here must stop the start; found at run time it would fail pages one by one. Values of the wrong
 * type (a duration that is not one) SmallRye Config already refuses by name; this checks what parses but cannot work.
 * Never quotes a token or a secret.
 */
public final class ConfigurationCheck {

    /** Shortest signing secret accepted for webhooks: shorter ones are guessable. */
    static final int MIN_SECRET_LENGTH = 16;

    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.-]+");

    private ConfigurationCheck() {
    }

    /** @param kafkaServers {@code kafka.bootstrap.servers} */
    public static List<String> problems(NotifierConfig config, String kafkaServers) {
        List<String> problems = new ArrayList<>();
        NotifierConfig.Slack slack = config.slack();
        url(slack.apiUrl(), "TOCSIN_SLACK_API_URL", problems);
        url(config.pagerduty().eventsUrl(), "TOCSIN_PAGERDUTY_EVENTS_URL", problems);
        url(config.incidentUrl(), "TOCSIN_INCIDENT_URL", problems);
        String botToken = slack.botToken().filter(token -> !token.isBlank()).orElse(null);
        if (botToken != null && !botToken.startsWith("xox")) {
            problems.add("TOCSIN_SLACK_BOT_TOKEN: is not a Slack token (a bot token starts with xoxb-)");
        }
        if (botToken != null && slack.signingSecret().filter(secret -> !secret.isBlank()).isEmpty()) {
            problems.add("TOCSIN_SLACK_SIGNING_SECRET: is empty while TOCSIN_SLACK_BOT_TOKEN is set; every button "
                    + "press would be refused (the app's Basic Information page shows it)");
        }
        try {
            ThreadReplies.parse(slack.threadReplies());
        } catch (IllegalArgumentException e) {
            problems.add("TOCSIN_NOTIFIER_SLACK_THREAD_REPLIES: \"" + slack.threadReplies()
                    + "\" is not a level; use quiet, normal or verbose");
        }
        if (slack.responseUrlHosts().isEmpty()
                || slack.responseUrlHosts().stream().anyMatch(host -> !HOST.matcher(host.trim()).matches())) {
            problems.add("TOCSIN_NOTIFIER_SLACK_RESPONSE_URL_HOSTS: is \"" + String.join(",",
                    slack.responseUrlHosts()) + "\"; a list of host names such as hooks.slack.com");
        }
        positive(slack.channelInterval(), "TOCSIN_NOTIFIER_SLACK_CHANNEL_INTERVAL", problems);
        if (slack.digest().threshold() < 0) {
            problems.add("TOCSIN_NOTIFIER_SLACK_DIGEST_THRESHOLD: is " + slack.digest().threshold()
                    + "; 0 turns the storm digest off, more folds past that many new incidents");
        }
        positive(slack.digest().window(), "TOCSIN_NOTIFIER_SLACK_DIGEST_WINDOW", problems);
        positive(slack.timeout(), "TOCSIN_NOTIFIER_SLACK_TIMEOUT", problems);
        positive(config.webhook().timeout(), "TOCSIN_NOTIFIER_WEBHOOK_TIMEOUT", problems);
        config.webhook().signingSecret().filter(secret -> !secret.isBlank() && secret.length() < MIN_SECRET_LENGTH)
                .ifPresent(secret -> problems.add("TOCSIN_WEBHOOK_SIGNING_SECRET: is shorter than "
                        + MIN_SECRET_LENGTH + " characters"));
        NotifierConfig.Delivery delivery = config.delivery();
        positive(delivery.firstBackoff(), "TOCSIN_NOTIFIER_DELIVERY_FIRST_BACKOFF", problems);
        positive(delivery.maxBackoff(), "TOCSIN_NOTIFIER_DELIVERY_MAX_BACKOFF", problems);
        if (delivery.maxBackoff().compareTo(delivery.firstBackoff()) < 0) {
            problems.add("TOCSIN_NOTIFIER_DELIVERY_MAX_BACKOFF: is " + delivery.maxBackoff()
                    + ", shorter than TOCSIN_NOTIFIER_DELIVERY_FIRST_BACKOFF (" + delivery.firstBackoff() + ")");
        }
        positive(delivery.breakerOpenFor(), "TOCSIN_NOTIFIER_DELIVERY_BREAKER_OPEN_FOR", problems);
        positive(delivery.interval(), "TOCSIN_NOTIFIER_DELIVERY_INTERVAL", problems);
        positive(delivery.inFlightTimeout(), "TOCSIN_NOTIFIER_DELIVERY_IN_FLIGHT_TIMEOUT", problems);
        atLeastOne(delivery.maxAttempts(), "TOCSIN_NOTIFIER_DELIVERY_MAX_ATTEMPTS", problems);
        atLeastOne(delivery.breakerThreshold(), "TOCSIN_NOTIFIER_DELIVERY_BREAKER_THRESHOLD", problems);
        problems.addAll(BootstrapServers.problems(kafkaServers));
        return problems;
    }

    /** @throws ConfigurationException when there is any problem, having logged nothing */
    public static void require(List<String> problems) {
        if (!problems.isEmpty()) {
            throw new ConfigurationException("notifier refuses to start: " + problems.size()
                    + " configuration problem" + (problems.size() == 1 ? "" : "s") + ": " + String.join("; ",
                            problems));
        }
    }

    private static void url(String value, String variable, List<String> problems) {
        String problem = null;
        if (value == null || value.isBlank()) {
            problem = "is empty";
        } else {
            try {
                URI uri = new URI(value.trim());
                if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                    problem = "\"" + value + "\" is not an absolute http(s) URL";
                }
            } catch (URISyntaxException e) {
                problem = "\"" + value + "\" is not a URL: " + e.getReason();
            }
        }
        if (problem != null) {
            problems.add(variable + ": " + problem);
        }
    }

    private static void positive(Duration duration, String variable, List<String> problems) {
        if (duration.isZero() || duration.isNegative()) {
            problems.add(variable + ": is " + duration + "; it must be longer than zero");
        }
    }

    private static void atLeastOne(int value, String variable, List<String> problems) {
        if (value < 1) {
            problems.add(variable + ": is " + value + "; at least 1");
        }
    }
}
