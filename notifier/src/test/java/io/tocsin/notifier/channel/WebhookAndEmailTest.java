package io.tocsin.notifier.channel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tocsin.events.IncidentAcknowledged;
import io.tocsin.events.IncidentResolved;
import io.tocsin.events.NotificationOutcome;
import io.tocsin.events.NotificationTarget;
import io.tocsin.events.Priority;
import io.tocsin.events.Topics;
import io.tocsin.notifier.Fakes;
import io.tocsin.notifier.IncidentFeed;
import io.tocsin.notifier.Seen;
import io.tocsin.notifier.TestClock;
import io.tocsin.notifier.channel.webhook.WebhookChannel;
import io.tocsin.testsupport.InjectKafkaBroker;
import io.tocsin.testsupport.KafkaBroker;
import io.tocsin.testsupport.KafkaTestResource;
import io.tocsin.testsupport.PostgresTestResource;
import io.tocsin.testsupport.TopicWatcher;

/** Outgoing webhooks against a recording HTTP server, e-mail against a real SMTP server (GreenMail). */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
@WithTestResource(Fakes.class)
class WebhookAndEmailTest {

    @InjectKafkaBroker
    KafkaBroker broker;

    IncidentFeed feed;

    @BeforeEach
    void feed() {
        feed = IncidentFeed.to(broker.bootstrapServers());
    }

    @Test
    void aWebhookGetsTheEventAndTheIncidentSignedAndLaterEventsToo() throws Exception {
        UUID incident = UUID.randomUUID();
        NotificationTarget hook = new NotificationTarget(NotificationTarget.Channel.WEBHOOK,
                Fakes.baseUrl() + "/hooks/ok");
        feed.send(IncidentFeed.opened(incident, Priority.P2, "Latency high",
                Map.of("alertname", "LatencyHigh", "service", "api"), Map.of("summary", "p99 above 2s"), hook));

        LoggedRequest page = await().atMost(Duration.ofSeconds(30))
                .until(() -> Fakes.requests("/hooks/ok", incident.toString()), l -> l.size() == 1).get(0);
        String timestamp = page.getHeader("X-Tocsin-Timestamp");
        assertThat(page.getHeader("X-Tocsin-Signature")).isEqualTo(WebhookChannel
                .signature(Fakes.WEBHOOK_SECRET.getBytes(StandardCharsets.UTF_8), timestamp, page.getBody()));
        assertThat(page.getHeader("Content-Type")).startsWith("application/json");
        JsonNode body = IncidentFeed.MAPPER.readTree(page.getBody());
        assertThat(body.path("schema").asText()).isEqualTo("tocsin.webhook.v1");
        assertThat(body.path("deliveryId").asText()).isEqualTo(page.getHeader("X-Tocsin-Delivery"));
        assertThat(body.at("/event/type").asText()).isEqualTo("notification.requested");
        assertThat(body.at("/incident/id").asText()).isEqualTo(incident.toString());
        assertThat(body.at("/incident/priority").asText()).isEqualTo("P2");
        assertThat(body.at("/incident/labels/service").asText()).isEqualTo("api");
        assertThat(body.at("/incident/annotations/summary").asText()).isEqualTo("p99 above 2s");

        feed.send(new IncidentAcknowledged(UUID.randomUUID(), incident, TestClock.CLOCK.instant(), "api:oncall"));
        List<LoggedRequest> all = await().atMost(Duration.ofSeconds(30))
                .until(() -> Fakes.requests("/hooks/ok", incident.toString()), l -> l.size() == 2);
        JsonNode ack = IncidentFeed.MAPPER.readTree(all.get(1).getBody());
        assertThat(ack.at("/event/type").asText()).isEqualTo("incident.acknowledged");
        assertThat(ack.at("/incident/state").asText()).isEqualTo("acknowledged");
        assertThat(all.get(1).getHeader("X-Tocsin-Delivery")).isNotEqualTo(page.getHeader("X-Tocsin-Delivery"));
    }

    @Test
    void anEmailGoesOutAsHtmlAndTextAndAnotherWhenResolved() throws Exception {
        UUID incident = UUID.randomUUID();
        String to = "dba-" + incident.toString().substring(0, 8) + "@example.com";
        feed.send(IncidentFeed.opened(incident, Priority.P1, "Replica lag <5 minutes>",
                Map.of("alertname", "ReplicaLag", "service", "db"), Map.of("summary", "lag is 4m"),
                new NotificationTarget(NotificationTarget.Channel.EMAIL, to)));

        MimeMessage firing = await().atMost(Duration.ofSeconds(30)).until(() -> mailTo(to), l -> l.size() == 1).get(0);
        assertThat(firing.getSubject()).isEqualTo("[Tocsin P1] Firing: Replica lag <5 minutes>");
        assertThat(firing.getHeader("X-Tocsin-Incident")[0]).isEqualTo(incident.toString());
        MimeMultipart parts = (MimeMultipart) firing.getContent();
        String all = "";
        for (int i = 0; i < parts.getCount(); i++) {
            all += parts.getBodyPart(i).getContentType() + "\n" + contentOf(parts.getBodyPart(i).getContent());
        }
        assertThat(all).contains("text/plain").contains("text/html").contains("lag is 4m")
                .contains("Replica lag &lt;5 minutes&gt;").contains("https://tocsin.example.com/incidents/" + incident);

        feed.send(new IncidentResolved(UUID.randomUUID(), incident, TestClock.CLOCK.instant(), "api:oncall", "ok"));
        MimeMessage resolved = await().atMost(Duration.ofSeconds(30)).until(() -> mailTo(to), l -> l.size() == 2)
                .get(1);
        assertThat(resolved.getSubject()).isEqualTo("[Tocsin P1] Resolved: Replica lag <5 minutes>");
    }

    @Test
    void aTargetWithoutAnAddressIsRecordedAsNotSent() {
        UUID incident = UUID.randomUUID();
        try (TopicWatcher outcomes = TopicWatcher.fromNow(broker.bootstrapServers(), Topics.NOTIFICATIONS, 3)) {
            feed.send(IncidentFeed.opened(incident, Priority.P1, "Nowhere", Map.of("alertname", "N"), Map.of(),
                    new NotificationTarget(NotificationTarget.Channel.PAGERDUTY, "")));
            NotificationOutcome outcome = await().atMost(Duration.ofSeconds(30))
                    .until(() -> Seen.outcomes(outcomes, incident), l -> !l.isEmpty()).get(0);
            assertThat(outcome.status()).isEqualTo(NotificationOutcome.Status.NOT_SENT);
            assertThat(outcome.detail()).startsWith("not sent: channel not configured");
            assertThat(outcome.action()).isEqualTo("pagerduty.trigger");
        }
    }

    private static List<MimeMessage> mailTo(String address) {
        return Arrays.stream(Fakes.smtp().getReceivedMessages()).filter(message -> {
            try {
                return message.getAllRecipients()[0].toString().equals(address);
            } catch (Exception e) {
                return false;
            }
        }).toList();
    }

    private static String contentOf(Object content) throws Exception {
        if (content instanceof MimeMultipart nested) {
            String all = "";
            for (int i = 0; i < nested.getCount(); i++) {
                all += nested.getBodyPart(i).getContentType() + "\n" + contentOf(nested.getBodyPart(i).getContent());
            }
            return all;
        }
        return String.valueOf(content);
    }
}
