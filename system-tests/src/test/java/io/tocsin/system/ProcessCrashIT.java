package io.tocsin.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.tocsin.testsupport.KafkaBroker;
import io.tocsin.testsupport.PostgresDatabase;

/**
 * Issue 11: each service (alert-ingest, escalation, notifier) is killed with SIGKILL at a random moment under a steady
 * alert load, ten rounds each, and restarted on its port. Afterwards every alert answered 2xx is stored, each group has
 * one incident, each escalation level fired once, and each page reached Slack and PagerDuty at most once.
 */
class ProcessCrashIT {

    private static final int ROUNDS = 10;
    private static final int GROUPS_PER_ROUND = 2;
    private static final Duration SECOND_LEVEL = Duration.ofSeconds(3);

    private static KafkaBroker broker;
    private static PostgresDatabase database;
    private static FaultStack stack;

    @BeforeAll
    static void start() throws Exception {
        broker = KafkaBroker.start();
        database = PostgresDatabase.create();
        stack = new FaultStack("process-crash", broker.bootstrapServers(), database.host(), database.port(),
                database.name(), SECOND_LEVEL);
        stack.start("alert-ingest");
        stack.start("escalation");
        // A call cut off by a kill is settled after this (resent where the receiver drops repeats, else `unknown`),
        // inside the test's time rather than after the default two minutes.
        stack.start("notifier", Map.of("TOCSIN_NOTIFIER_DELIVERY_IN_FLIGHT_TIMEOUT", "10s"));
    }

    @AfterAll
    static void stop() throws Exception {
        FaultStack.closeAll(stack, broker, database);
    }

    @Test
    void nothingLostAndNothingPagedTwiceWhenEachServiceIsKilledTenTimesUnderLoad() throws Exception {
        Random random = new Random(11);
        AtomicReference<String> round = new AtomicReference<>("warm-up");
        AtomicInteger next = new AtomicInteger();
        Instant began = Instant.now();
        Map<String, Integer> kills = new HashMap<>();
        FaultStack.Load load = stack.new Load("crash", () -> round.get() + "-g" + next.incrementAndGet()
                % GROUPS_PER_ROUND, Duration.ofMillis(40));
        try {
            for (String service : List.of("alert-ingest", "escalation", "notifier")) {
                for (int i = 0; i < ROUNDS; i++) {
                    round.set("Crash-" + service + "-" + i);
                    FaultStack.hold(Duration.ofMillis(300 + random.nextInt(1500)));
                    Services.kill(stack.running.get(service));
                    kills.merge(service, 1, Integer::sum);
                    stack.start(service);
                }
            }
            round.set("Crash-after");
            FaultStack.hold(Duration.ofSeconds(1));
        } finally {
            load.close();
        }
        Duration killing = Duration.between(began, Instant.now());

        Set<String> accepted = load.accepted();
        Set<String> groups = load.acceptedGroups();
        // Converged: every accepted alert stored, every group's incident escalated through both levels, and the
        // notifier has nothing left to send.
        await().atMost(Duration.ofSeconds(150)).pollInterval(Duration.ofSeconds(2))
                .until(() -> stack.storedFingerprints().containsAll(accepted)
                        && stack.incidentsPerGroup().keySet().containsAll(groups)
                        && stack.notificationsRequested().size() >= 3 * groups.size()
                        && stack.deliveriesByStatus().getOrDefault("pending", 0) == 0
                        && stack.deliveriesByStatus().getOrDefault("sending", 0) == 0
                        && stack.webhooksPerIncident().size() >= groups.size());
        FaultStack.hold(Duration.ofSeconds(3));

        Map<String, Integer> incidents = stack.incidentsPerGroup();
        Map<String, Integer> requested = stack.notificationsRequested();
        Map<String, Integer> slack = stack.slackRootsPerIncident();
        Map<String, Integer> triggers = stack.pagerDutyPerIncident("trigger");
        Map<String, Integer> webhooks = stack.webhooksPerIncident();
        Map<String, Integer> deliveries = stack.deliveriesByStatus();
        Set<String> ids = Set.copyOf(stack.incidentOfGroup().values());
        System.out.printf("FIGURES process-crash: incidentsWithoutSlack=%d incidentsWithoutPagerDuty=%d "
                + "incidentsWithoutWebhook=%d webhookDeliveriesRepeated=%d%n",
                ids.stream().filter(id -> !slack.containsKey(id)).count(),
                ids.stream().filter(id -> !triggers.containsKey(id)).count(),
                ids.stream().filter(id -> !webhooks.containsKey(id + "/level 1")).count(),
                stack.webhookDeliveriesRepeated());
        System.out.printf("FIGURES process-crash: kills=%s killingPhase=%ds sent=%d answered2xx=%d stored=%d groups=%d "
                + "incidents=%d levelEvents=%d levelDuplicates=%d slackRoots=%d slackDuplicates=%d pdTriggers=%d "
                + "pdDuplicates=%d webhooks=%d webhookDuplicates=%d deliveries=%s deadLetters=%s%n",
                kills, killing.toSeconds(), load.answers.size(), accepted.size(),
                stack.storedFingerprints().stream().filter(accepted::contains).count(), groups.size(),
                incidents.values().stream().mapToInt(Integer::intValue).sum(), requested.size(), over(requested),
                slack.size(), over(slack), triggers.size(), over(triggers), webhooks.size(), over(webhooks),
                deliveries, stack.deadLetters());

        assertThat(stack.storedFingerprints()).as("every alert answered 2xx is stored").containsAll(accepted);
        assertThat(incidents).as("one incident per group").allSatisfy((group, count) -> assertThat(count)
                .as(group).isEqualTo(1));
        assertThat(requested).as("each escalation level fired once per target")
                .allSatisfy((level, count) -> assertThat(count).as(level).isEqualTo(1));
        assertThat(slack).as("at most one Slack message per page")
                .allSatisfy((incident, count) -> assertThat(count).as(incident).isEqualTo(1));
        assertThat(triggers).as("at most one PagerDuty trigger per page")
                .allSatisfy((incident, count) -> assertThat(count).as(incident).isEqualTo(1));
        assertThat(webhooks).as("the second level's webhook at most once")
                .allSatisfy((page, count) -> assertThat(count).as(page).isEqualTo(1));
        assertThat(stack.deadLetterTotal()).as("nothing dead-lettered").isZero();
    }

    private static long over(Map<String, Integer> counts) {
        return counts.values().stream().filter(n -> n > 1).count();
    }
}
