package io.tocsin.notifier.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tocsin.events.NotificationOutcome;
import io.tocsin.events.Topics;
import io.tocsin.notifier.Db;
import io.tocsin.notifier.Fakes;
import io.tocsin.notifier.Seen;
import io.tocsin.notifier.TestClock;
import io.tocsin.testsupport.InjectKafkaBroker;
import io.tocsin.testsupport.KafkaBroker;
import io.tocsin.testsupport.KafkaTestResource;
import io.tocsin.testsupport.PostgresTestResource;
import io.tocsin.testsupport.TopicWatcher;

/**
 * What a crash during a call leaves behind: deliveries marked {@code sending} that nobody will finish. A message whose
 * receiver drops repeats (PagerDuty, by dedup_key) is sent again; a Slack post is not, so nobody sees it twice, and
 * the timeline says its fate is unknown.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
@WithTestResource(Fakes.class)
class CutOffDeliveryTest {

    @InjectKafkaBroker
    KafkaBroker broker;

    @Test
    void aCutOffPageIsSentAgainOnlyWhereTheReceiverDropsRepeats() {
        UUID incident = UUID.randomUUID();
        String key = "RC" + UUID.randomUUID().toString().replace("-", "").substring(0, 30);
        Instant now = TestClock.CLOCK.instant();
        Timestamp longAgo = Timestamp.from(now.minus(Duration.ofMinutes(10)));
        Db.update("INSERT INTO notifier.incident_view (incident_id, title, priority, state, group_labels, labels, "
                + "annotations, opened_at, updated_at, version) VALUES (?, 'Cut off', 'P1', 'open', '{}', "
                + "'{\"alertname\":\"CutOff\"}', '{}', ?, ?, 3)", incident, longAgo, longAgo);
        String event = "{\"type\":\"notification.requested\",\"eventId\":\"" + UUID.randomUUID() + "\",\"incidentId\":\""
                + incident + "\",\"occurredAt\":\"" + now + "\",\"target\":{\"channel\":\"slack\",\"address\":\"#cut\"},"
                + "\"policy\":\"default\",\"level\":0,\"cycle\":0,\"priority\":\"P1\",\"title\":\"Cut off\"}";
        try (TopicWatcher outcomes = TopicWatcher.fromNow(broker.bootstrapServers(), Topics.NOTIFICATIONS, 3)) {
            // Inserted only once the watcher listens: recovery may publish their outcomes at once.
            insertSending(incident, "slack", "#cut", "slack.post", event, longAgo);
            insertSending(incident, "pagerduty", key, "pagerduty.trigger", event, longAgo);
            await().atMost(Duration.ofSeconds(30)).until(() -> Db.column(
                    "SELECT action || '=' || status FROM notifier.delivery WHERE incident_id = ? ORDER BY id", incident),
                    rows -> rows.equals(List.of("slack.post=unknown", "pagerduty.trigger=delivered")));
            assertThat(Seen.pagerDutyEvents(key)).hasSize(1);
            assertThat(Seen.pagerDutyEvents(key).get(0).path("dedup_key").asText()).isEqualTo("tocsin-" + incident);
            assertThat(Seen.posts(incident)).isEmpty();

            List<NotificationOutcome> seen = await().atMost(Duration.ofSeconds(20))
                    .until(() -> Seen.outcomes(outcomes, incident), l -> l.size() >= 2);
            assertThat(seen).filteredOn(o -> o.action().equals("slack.post")).singleElement()
                    .satisfies(o -> {
                        assertThat(o.status()).isEqualTo(NotificationOutcome.Status.UNKNOWN);
                        assertThat(o.detail()).contains("not sent again");
                    });
        }
    }

    private static void insertSending(UUID incident, String channel, String address, String action, String event,
            Timestamp startedAt) {
        Db.update("INSERT INTO notifier.delivery (idempotency_key, incident_id, event_id, channel, address, action, "
                + "event, status, attempts, next_attempt_at, attempt_started_at, created_at) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, 'sending', 1, ?, ?, ?)", UUID.randomUUID().toString(), incident,
                UUID.randomUUID(), channel, address, action, event, startedAt, startedAt, startedAt);
        Db.update("INSERT INTO notifier.subscription (incident_id, channel, address, created_at) VALUES (?, ?, ?, ?)",
                incident, channel, address, startedAt);
    }
}
