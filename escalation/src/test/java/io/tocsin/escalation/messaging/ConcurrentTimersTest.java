package io.tocsin.escalation.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle;
import io.smallrye.common.vertx.VertxContext;
import io.tocsin.escalation.AlertFeed;
import io.tocsin.escalation.TestClock;
import io.tocsin.escalation.service.TimerLoop;
import io.tocsin.events.IncidentEscalated;
import io.tocsin.events.IncidentEvent;
import io.tocsin.events.IncidentOpened;
import io.tocsin.events.NotificationRequested;
import io.tocsin.events.Topics;
import io.tocsin.testsupport.InjectKafkaBroker;
import io.tocsin.testsupport.KafkaBroker;
import io.tocsin.testsupport.KafkaTestResource;
import io.tocsin.testsupport.PostgresTestResource;
import io.tocsin.testsupport.TopicWatcher;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * Several claimers race for the same due timers, as several instances would: each level must still fire exactly once.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class ConcurrentTimersTest {

    private static final int INCIDENTS = 6;

    @InjectKafkaBroker
    KafkaBroker broker;

    @Inject
    TimerLoop timers;

    @Inject
    Vertx vertx;

    @Test
    void racingClaimersFireEachDueLevelOnce() throws Exception {
        try (TopicWatcher watcher = TopicWatcher.fromNow(broker.bootstrapServers(), Topics.INCIDENTS, 3);
                AlertFeed feed = new AlertFeed(broker.bootstrapServers())) {
            for (int i = 0; i < INCIDENTS; i++) {
                feed.send(AlertFeed.firing(Map.of("alertname", "Race" + i, "severity", "critical", "service", "race"),
                        "race " + i));
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> events(watcher).stream()
                    .filter(IncidentOpened.class::isInstance).count() == INCIDENTS);

            TestClock.CLOCK.advance(Duration.ofMinutes(10)); // every incident's second level is now due
            List<CompletableFuture<Integer>> claimers = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                claimers.add(fireDueOnItsOwnContext());
            }
            for (CompletableFuture<Integer> claimer : claimers) {
                claimer.get(30, TimeUnit.SECONDS); // each claimed its share, possibly none, without failing
            }

            await().atMost(Duration.ofSeconds(30)).until(() -> events(watcher).stream()
                    .filter(IncidentEscalated.class::isInstance).count() >= INCIDENTS);
            await().pollDelay(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> true);
            List<IncidentEvent> all = events(watcher);
            assertThat(all).filteredOn(IncidentEscalated.class::isInstance).hasSize(INCIDENTS)
                    .extracting(IncidentEvent::incidentId).doesNotHaveDuplicates();
            assertThat(all).filteredOn(e -> e instanceof NotificationRequested n && n.level() == 1)
                    .as("Slack and PagerDuty once per incident").hasSize(2 * INCIDENTS);
        }
    }

    private CompletableFuture<Integer> fireDueOnItsOwnContext() {
        CompletableFuture<Integer> result = new CompletableFuture<>();
        Context context = VertxContext.getOrCreateDuplicatedContext(vertx.getOrCreateContext());
        context.runOnContext(ignored -> {
            // What Quarkus does for each request and message: one isolated sub-context per unit of work.
            VertxContextSafetyToggle.setContextSafe(context, true);
            try {
                timers.fireDue().subscribe().with(result::complete, result::completeExceptionally);
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    private final List<IncidentEvent> seen = new ArrayList<>();

    private List<IncidentEvent> events(TopicWatcher watcher) {
        seen.clear();
        watcher.poll(Duration.ofMillis(100)).stream().map(record -> AlertFeed.event(record.value()))
                .filter(event -> event instanceof IncidentOpened opened ? opened.groupKey().contains("service=race")
                        : true)
                .forEach(seen::add);
        List<java.util.UUID> ours = seen.stream().filter(IncidentOpened.class::isInstance)
                .map(IncidentEvent::incidentId).toList();
        return seen.stream().filter(event -> ours.contains(event.incidentId())).toList();
    }
}
