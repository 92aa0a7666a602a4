package io.tocsin.notifier.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tocsin.events.IncidentOpened;
import io.tocsin.events.IncidentResolved;
import io.tocsin.events.NotificationRequested;
import io.tocsin.events.Priority;
import io.tocsin.events.SlackDigestSettings;
import io.tocsin.notifier.Db;
import io.tocsin.notifier.Fakes;
import io.tocsin.notifier.IncidentFeed;
import io.tocsin.notifier.Seen;
import io.tocsin.notifier.TestClock;
import io.tocsin.testsupport.InjectKafkaBroker;
import io.tocsin.testsupport.KafkaBroker;
import io.tocsin.testsupport.KafkaTestResource;
import io.tocsin.testsupport.PostgresTestResource;

/**
 * Issue 12, the storm digest: past ten new incidents for one Slack channel within two minutes, further P2/P3
 * incidents are folded into one digest message updated in place, P0 and P1 still get their own, and the digest says
 * when the storm is over. The test clock drives pacing and the window.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
@WithTestResource(Fakes.class)
class StormDigestTest {

    @InjectKafkaBroker
    KafkaBroker broker;

    @Test
    void pastTheThresholdLowPriorityIncidentsAreFoldedIntoOneDigestAndUrgentOnesStillPostedOnTheirOwn() {
        IncidentFeed feed = IncidentFeed.to(broker.bootstrapServers());
        String channel = "#storm-" + UUID.randomUUID().toString().substring(0, 8);
        List<UUID> before = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            before.add(open(feed, channel, Priority.P3, "DiskFull", "svc-" + (i % 3)));
        }
        Seen.fastForwardUntil(() -> before.stream().filter(id -> roots(id).size() == 1).count(), n -> n == 10);

        List<UUID> folded = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            folded.add(open(feed, channel, i < 3 ? Priority.P3 : Priority.P2, i < 4 ? "DiskFull" : "NodeDown",
                    "svc-" + i));
        }
        UUID urgent = open(feed, channel, Priority.P0, "CheckoutDown", "checkout");
        await().atMost(Duration.ofSeconds(30)).until(() -> Db.column("SELECT count(*) FROM notifier.delivery "
                + "WHERE status = 'digested' AND incident_id IN (?, ?, ?, ?, ?)", folded.toArray()),
                List.of("5")::equals);
        // The digest may be posted after the first fold and rewritten as the others arrive: either says the five.
        Seen.fastForwardUntil(() -> roots(urgent).size() == 1 && digestTexts(channel).stream()
                .anyMatch(text -> text.contains("5 new incidents")), done -> done);

        assertThat(digests(channel)).as("one digest message for the storm").hasSize(1);
        assertThat(folded).as("no folded incident has a message of its own").allMatch(id -> roots(id).isEmpty());
        assertThat(roots(urgent)).as("the P0 is posted on its own").hasSize(1);
        assertThat(digestTexts(channel)).filteredOn(text -> text.contains("5 new incidents")).first()
                .asString().contains("Storm in " + channel).contains("4 × DiskFull").contains("1 × NodeDown");

        // Nobody acknowledged a folded incident and its policy pages the channel again: that goes, on its own.
        feed.send(IncidentFeed.page(folded.get(1), Priority.P3, "repaged", IncidentFeed.slack(channel), 1));
        Seen.fastForwardUntil(() -> roots(folded.get(1)).size(), n -> n == 1);

        // A folded incident resolves: the digest is rewritten in place, not replied to.
        feed.send(new IncidentResolved(UUID.randomUUID(), folded.get(0), TestClock.CLOCK.instant(), "api:oncall",
                null));
        Seen.fastForwardUntil(() -> text(digestUpdates(channel)), updates -> updates.stream()
                .anyMatch(text -> text.contains("1 resolved")));
        // A whole window without a new fold: the storm is over, and the digest says so.
        TestClock.CLOCK.advance(Duration.ofMinutes(2));
        Seen.fastForwardUntil(() -> text(digestUpdates(channel)), updates -> updates.stream()
                .anyMatch(text -> text.contains("The storm in " + channel + " is over: 5 new incidents")));
        assertThat(digests(channel)).as("still one digest message").hasSize(1);
        assertThat(Db.column("SELECT count(*) FROM notifier.delivery WHERE incident_id = ? AND action = "
                + "'slack.reply'", folded.get(0))).as("no thread reply for a folded incident").containsExactly("0");
        assertThat(Db.column("SELECT count(*) FROM notifier.outbox WHERE payload LIKE '%\"status\":\"digested\"%' "
                + "AND payload LIKE ?", "%" + folded.get(1) + "%")).as("the timeline hears where it was announced")
                .containsExactly("1");
    }

    @Test
    void aPolicysOwnDigestSettingsDecideForTheIncidentsItPages() {
        IncidentFeed feed = IncidentFeed.to(broker.bootstrapServers());
        String channel = "#policy-storm-" + UUID.randomUUID().toString().substring(0, 8);
        SlackDigestSettings early = new SlackDigestSettings(2, null);
        List<UUID> opened = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            opened.add(openUnder(feed, channel, early));
        }
        UUID never = openUnder(feed, channel, new SlackDigestSettings(0, null));
        UUID defaults = openUnder(feed, channel, null);

        assertThat(status(opened.get(0))).isNotEqualTo("digested");
        assertThat(status(opened.get(1))).isNotEqualTo("digested");
        assertThat(status(opened.get(2))).as("its policy folds past 2 new incidents").isEqualTo("digested");
        assertThat(status(never)).as("its policy never folds").isNotEqualTo("digested");
        assertThat(status(defaults)).as("the notifier's default threshold, 10, is not reached").isNotEqualTo("digested");
    }

    /** Opens a P3 incident paged to {@code channel} by a policy with these digest settings; waits until planned. */
    private static UUID openUnder(IncidentFeed feed, String channel, SlackDigestSettings settings) {
        UUID incident = UUID.randomUUID();
        var now = TestClock.CLOCK.instant();
        feed.send(new IncidentOpened(UUID.randomUUID(), incident, now, "alertname=DiskFull", "DiskFull", "svc", Priority.P3,
                Map.of("alertname", "DiskFull")),
                new NotificationRequested(UUID.randomUUID(), incident, now, IncidentFeed.slack(channel), "platform", 0,
                        0, Priority.P3, "DiskFull", settings));
        await().atMost(Duration.ofSeconds(30)).until(() -> status(incident) != null);
        return incident;
    }

    /** The status of the incident's first Slack message: digested when folded. */
    private static String status(UUID incident) {
        List<String> statuses = Db.column("SELECT status FROM notifier.delivery WHERE incident_id = ? AND channel = "
                + "'slack' ORDER BY id", incident);
        return statuses.isEmpty() ? null : statuses.get(0);
    }

    private static UUID open(IncidentFeed feed, String channel, Priority priority, String alertname, String service) {
        UUID incident = UUID.randomUUID();
        feed.send(IncidentFeed.opened(incident, priority, alertname + " on " + service,
                Map.of("alertname", alertname, "service", service), Map.of(), IncidentFeed.slack(channel)));
        return incident;
    }

    /** Root messages of the incident itself (a digest lists incidents' links, so it mentions their ids too). */
    private static List<LoggedRequest> roots(UUID incident) {
        return Seen.posts(incident).stream().filter(request -> !text(request).contains("Storm in")).toList();
    }

    private static List<LoggedRequest> digests(String channel) {
        return Fakes.requests("/api/chat.postMessage", "").stream()
                .filter(request -> text(request).contains("Storm in " + channel)).toList();
    }

    private static List<LoggedRequest> digestUpdates(String channel) {
        return Fakes.requests("/api/chat.update", "").stream()
                .filter(request -> text(request).contains(channel)).toList();
    }

    /** What the channel's digest said, posted or rewritten, oldest first. */
    private static List<String> digestTexts(String channel) {
        return Stream.concat(digests(channel).stream(), digestUpdates(channel).stream())
                .sorted((a, b) -> a.getLoggedDate().compareTo(b.getLoggedDate())).map(StormDigestTest::text)
                .toList();
    }

    private static String text(LoggedRequest request) {
        return String.valueOf(Fakes.form(request).get("text"));
    }

    private static List<String> text(List<LoggedRequest> requests) {
        return requests.stream().map(StormDigestTest::text).toList();
    }
}
