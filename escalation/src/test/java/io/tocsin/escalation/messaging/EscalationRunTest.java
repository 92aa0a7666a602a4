package io.tocsin.escalation.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tocsin.escalation.AlertFeed;
import io.tocsin.escalation.TestClock;
import io.tocsin.events.IncidentEscalated;
import io.tocsin.events.IncidentEvent;
import io.tocsin.events.IncidentOpened;
import io.tocsin.events.NotificationRequested;
import io.tocsin.events.NotificationTarget.Channel;
import io.tocsin.events.SlaBreached;
import io.tocsin.events.Topics;
import io.tocsin.testsupport.InjectKafkaBroker;
import io.tocsin.testsupport.KafkaBroker;
import io.tocsin.testsupport.KafkaTestResource;
import io.tocsin.testsupport.PostgresTestResource;
import io.tocsin.testsupport.TopicWatcher;

/** A whole escalation run under the shipped default policy, on a clock the test fast-forwards. */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class EscalationRunTest {

    @InjectKafkaBroker
    KafkaBroker broker;

    private AlertFeed feed;
    private TopicWatcher incidents;

    @BeforeEach
    void open() {
        feed = new AlertFeed(broker.bootstrapServers());
        incidents = TopicWatcher.fromNow(broker.bootstrapServers(), Topics.INCIDENTS, 3);
    }

    @AfterEach
    void close() {
        feed.close();
        incidents.close();
    }

    @Test
    void anUnacknowledgedP1ClimbsItsLadderRepeatsAndBreachesItsSla() throws Exception {
        feed.send(AlertFeed.firing(Map.of("alertname", "LadderProbe", "severity", "critical", "service", "payments"),
                "ladder probe"));

        List<IncidentEvent> first = awaitLadder(3);
        IncidentOpened opened = (IncidentOpened) first.get(0);
        assertThat(notifications(first, 0, 0)).as("level 1 at once: Slack and PagerDuty")
                .containsExactly(Channel.SLACK, Channel.PAGERDUTY);

        TestClock.CLOCK.advance(Duration.ofMinutes(10));
        List<IncidentEvent> level2 = awaitLadder(6);
        assertThat(level2.get(3)).isInstanceOfSatisfying(IncidentEscalated.class, e -> {
            assertThat(e.level()).isEqualTo(1);
            assertThat(e.reason()).isEqualTo("not acknowledged within 10 min");
        });
        assertThat(notifications(level2, 1, 0)).containsExactly(Channel.SLACK, Channel.PAGERDUTY);

        TestClock.CLOCK.advance(Duration.ofMinutes(15));
        List<IncidentEvent> round2 = awaitLadder(9);
        assertThat(round2.get(6)).isInstanceOfSatisfying(IncidentEscalated.class, e -> {
            assertThat(e.level()).isZero();
            assertThat(e.cycle()).isEqualTo(1);
        });

        TestClock.CLOCK.advance(Duration.ofMinutes(5)); // 30 min after opening: the P1 response SLA
        List<IncidentEvent> breached = awaitLadder(13);
        assertThat(breached.get(9)).isInstanceOfSatisfying(SlaBreached.class,
                e -> assertThat(e.slaSeconds()).isEqualTo(1800));
        assertThat(breached.get(10)).isInstanceOfSatisfying(IncidentEscalated.class, e -> {
            assertThat(e.level()).isEqualTo(1);
            assertThat(e.reason()).isEqualTo("response SLA of 30 min breached");
        });
        assertThat(breached).extracting(IncidentEvent::incidentId).containsOnly(opened.incidentId());

        TestClock.CLOCK.advance(Duration.ofMinutes(1));
        assertThat(awaitLadder(13)).as("nothing more until the next level is due").hasSize(13);

        String metrics = io.restassured.RestAssured.given().get("/q/metrics").then().statusCode(200).extract()
                .asString();
        assertThat(metrics).containsPattern("tocsin_escalation_levels_fired_total\\{level=\"1\",policy=\"urgent\"} [1-9]")
                .containsPattern("tocsin_escalation_sla_breached_total\\{priority=\"P1\"} [1-9]")
                .contains("tocsin_escalation_timer_lag_seconds_bucket");
    }

    private static List<Channel> notifications(List<IncidentEvent> events, int level, int cycle) {
        return events.stream().filter(NotificationRequested.class::isInstance).map(NotificationRequested.class::cast)
                .filter(n -> n.level() == level && n.cycle() == cycle).map(n -> n.target().channel()).toList();
    }

    /** Waits for this incident's events past its alert, at least {@code count}; then a short quiet look for more. */
    private List<IncidentEvent> awaitLadder(int count) {
        List<IncidentEvent> events = await().atMost(Duration.ofSeconds(30)).until(this::ladder,
                found -> found.size() >= count);
        await().pollDelay(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5)).until(() -> true);
        return ladder();
    }

    /** This test's incident's events, but for its alert (other tests' incidents escalate on the same clock). */
    private List<IncidentEvent> ladder() {
        List<IncidentEvent> all = incidents.poll(Duration.ofMillis(100)).stream()
                .map(record -> AlertFeed.event(record.value())).toList();
        java.util.Optional<java.util.UUID> ours = all.stream()
                .filter(event -> event instanceof IncidentOpened opened && opened.groupKey().contains("LadderProbe"))
                .map(IncidentEvent::incidentId).findFirst();
        return all.stream()
                .filter(event -> ours.isPresent() && event.incidentId().equals(ours.get()))
                .filter(event -> !(event instanceof io.tocsin.events.AlertAttached))
                .toList();
    }
}
