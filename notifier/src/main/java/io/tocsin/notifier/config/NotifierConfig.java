package io.tocsin.notifier.config;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The notifier's settings ({@code tocsin.notifier.*}); README, "Configuration", lists the environment variables. */
@ConfigMapping(prefix = "tocsin.notifier")
public interface NotifierConfig {

    Slack slack();

    PagerDuty pagerduty();

    Email email();

    Webhook webhook();

    Delivery delivery();

    /** Where a link to an incident points: this prefix and the incident id ({@code TOCSIN_INCIDENT_URL}). */
    String incidentUrl();

    /**
     * Whether the urgent lane applies the events of new P0 and P1 incidents ahead of the backlog
     * ({@code TOCSIN_NOTIFIER_URGENT_LANE}, ADR 19); false leaves every event to the main lane, in arrival order. Safe
     * to turn either way at any time: the main lane applies every event whichever way it is set.
     */
    @WithDefault("true")
    boolean urgentLane();

    /** Slack settings. */
    interface Digest {
        /**
         * New incidents for one Slack channel within {@link #window()} beyond which further P2 and P3 incidents are
         * folded into one digest message ({@code TOCSIN_NOTIFIER_SLACK_DIGEST_THRESHOLD}); 0 turns the digest off.
         */
        @WithDefault("10")
        int threshold();

        /** The window of the count, and how long without a new fold ends the storm. */
        @WithDefault("2m")
        Duration window();
    }

    interface Slack {
        /** The bot token, {@code xoxb-...} ({@code TOCSIN_SLACK_BOT_TOKEN}); unset means Slack is not configured. */
        Optional<String> botToken();

        /** Verifies button presses ({@code TOCSIN_SLACK_SIGNING_SECRET}); unset means every press is refused. */
        Optional<String> signingSecret();

        /** The Web API's base URL, ending in {@code /} ({@code TOCSIN_SLACK_API_URL}). */
        String apiUrl();

        /** Hosts a button press's {@code response_url} may point at; Tocsin posts replies to no other host. */
        @WithDefault("hooks.slack.com")
        List<String> responseUrlHosts();

        /** The least time between two messages to one channel: Slack allows about one per second. */
        @WithDefault("1s")
        Duration channelInterval();

        /** Which events get a reply in the incident's thread: {@code quiet}, {@code normal} or {@code verbose}. */
        @WithDefault("normal")
        String threadReplies();

        /** The storm digest (docs/notifications.md, "Storms"). */
        Digest digest();

        /** How long a Slack call may take before it counts as failed. */
        @WithDefault("10s")
        Duration timeout();
    }

    /** PagerDuty settings. */
    interface PagerDuty {
        /** The Events API v2 enqueue URL ({@code TOCSIN_PAGERDUTY_EVENTS_URL}). */
        String eventsUrl();
    }

    /** E-mail settings. */
    interface Email {
        /** The SMTP server ({@code TOCSIN_SMTP_HOST}); unset means e-mail is not configured. */
        Optional<String> smtpHost();
    }

    /** Outgoing webhook settings. */
    interface Webhook {
        /** Signs each body ({@code TOCSIN_WEBHOOK_SIGNING_SECRET}); unset sends unsigned bodies. */
        Optional<String> signingSecret();

        /** How long a webhook call may take before it counts as failed. */
        @WithDefault("10s")
        Duration timeout();
    }

    /** Retry and circuit-breaker settings, for every channel. */
    interface Delivery {
        /** The wait before the second attempt; it doubles each time, with jitter. */
        @WithDefault("1s")
        Duration firstBackoff();

        /** The longest wait between attempts. */
        @WithDefault("5m")
        Duration maxBackoff();

        /** Attempts before a delivery fails for good. */
        @WithDefault("12")
        int maxAttempts();

        /** Consecutive failures to one destination that open its circuit breaker. */
        @WithDefault("5")
        int breakerThreshold();

        /** How long an open breaker holds deliveries back before one is tried again. */
        @WithDefault("30s")
        Duration breakerOpenFor();

        /** How often due deliveries are looked for (new events also start a round at once). */
        @WithDefault("1s")
        Duration interval();

        /** A delivery still marked in flight this long after it started was cut off by a crash. */
        @WithDefault("2m")
        Duration inFlightTimeout();
    }
}
