package io.tocsin.escalation.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tocsin.escalation.AlertFeed;
import io.tocsin.events.IncidentAcknowledged;
import io.tocsin.events.IncidentCommand;
import io.tocsin.events.IncidentCommand.Action;
import io.tocsin.events.IncidentEvent;
import io.tocsin.events.IncidentOpened;
import io.tocsin.events.IncidentResolved;
import io.tocsin.events.Topics;
import io.tocsin.testsupport.InjectKafkaBroker;
import io.tocsin.testsupport.KafkaBroker;
import io.tocsin.testsupport.KafkaTestResource;
import io.tocsin.testsupport.PostgresTestResource;
import io.tocsin.testsupport.TopicWatcher;

/** Commands from the commands topic (Slack buttons) are applied once each, attributed to their actor. */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class CommandConsumerTest {

    @InjectKafkaBroker
    KafkaBroker broker;

    @Test
    void aRedeliveredCommandIsAppliedOnceAndBadOnesDoNotStopTheFlow() {
        try (TopicWatcher watcher = TopicWatcher.fromNow(broker.bootstrapServers(), Topics.INCIDENTS, 3);
                AlertFeed feed = new AlertFeed(broker.bootstrapServers())) {
            feed.send(AlertFeed.firing(Map.of("alertname", "ButtonProbe", "severity", "warning", "service", "cmd"),
                    "button probe"));
            UUID incident = await().atMost(Duration.ofSeconds(30)).until(() -> events(watcher).stream()
                    .filter(IncidentOpened.class::isInstance).map(IncidentEvent::incidentId).findFirst().orElse(null),
                    found -> found != null);

            IncidentCommand ack = IncidentCommand.of(incident, Action.ACKNOWLEDGE, "slack:U024BE7LH", Instant.now());
            feed.command(ack);
            feed.command(ack); // redelivered
            feed.command(IncidentCommand.of(UUID.randomUUID(), Action.ACKNOWLEDGE, "slack:U1", Instant.now()));
            feed.command(IncidentCommand.of(incident, Action.UNKNOWN, "slack:U1", Instant.now())); // dead-lettered
            feed.command(new IncidentCommand(UUID.randomUUID(), incident, Action.RESOLVE, "slack:U024BE7LH",
                    Instant.now(), "fixed the disk", null, null, null));

            List<IncidentEvent> events = await().atMost(Duration.ofSeconds(30)).until(() -> events(watcher),
                    found -> found.stream().anyMatch(IncidentResolved.class::isInstance));
            await().pollDelay(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> true);
            events = events(watcher);
            assertThat(events).filteredOn(e -> e.incidentId().equals(incident))
                    .filteredOn(IncidentAcknowledged.class::isInstance).singleElement()
                    .satisfies(e -> assertThat(((IncidentAcknowledged) e).actor()).isEqualTo("slack:U024BE7LH"));
            assertThat(events).filteredOn(e -> e.incidentId().equals(incident))
                    .filteredOn(IncidentResolved.class::isInstance).singleElement()
                    .satisfies(e -> assertThat(((IncidentResolved) e).reason()).isEqualTo("fixed the disk"));
        }
    }

    private static List<IncidentEvent> events(TopicWatcher watcher) {
        return watcher.poll(Duration.ofMillis(100)).stream().map(record -> AlertFeed.event(record.value()))
                .filter(event -> !(event instanceof IncidentOpened opened) || opened.groupKey().contains("ButtonProbe"))
                .toList();
    }
}
