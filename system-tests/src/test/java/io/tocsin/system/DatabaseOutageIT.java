package io.tocsin.system;

import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.assertj.core.api.SoftAssertions;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.tocsin.testsupport.KafkaBroker;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * Issue 11: PostgreSQL stops for 5 s, 45 s and 120 s (one after the other, against one stack) while incidents escalate
 * and pages are delivered. Every consumer resumes without a restart, readiness recovers, nothing is dead-lettered, no
 * delivery turns {@code unknown} or {@code failed} because of the outage, and every page goes out once. The
 * PostgreSQL here is the test's own (embedded, on a port and data directory of its own): the machine's server is
 * shared and must not be stopped.
 */
class DatabaseOutageIT {

    private static final Duration SECOND_LEVEL = Duration.ofSeconds(3);
    private static final String DATABASE = "tocsin_outage";

    private static Path dataDirectory;
    private static int port;
    private static EmbeddedPostgres postgres;
    private static KafkaBroker broker;
    private static FaultStack stack;

    @BeforeAll
    static void start() throws Exception {
        dataDirectory = Files.createTempDirectory("tocsin-outage-pg");
        port = Services.freePort();
        postgres = startPostgres();
        try (Connection connection = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres",
                "postgres", ""); Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + DATABASE);
        }
        broker = KafkaBroker.start();
        stack = new FaultStack("database-outage", broker.bootstrapServers(), "127.0.0.1", port, DATABASE,
                SECOND_LEVEL);
        stack.startAll();
    }

    private static EmbeddedPostgres startPostgres() throws Exception {
        return EmbeddedPostgres.builder().setPort(port).setDataDirectory(dataDirectory).setCleanDataDirectory(false)
                .start();
    }

    @AfterAll
    static void stop() throws Exception {
        FaultStack.closeAll(stack, broker, postgres);
    }

    @Test
    void everyConsumerResumesAndEveryPageGoesOutOnceAfterOutagesOf5And45And120Seconds() throws Exception {
        SoftAssertions softly = new SoftAssertions();
        List<String> figures = new ArrayList<>();
        Map<String, Process> before = Map.copyOf(stack.running);
        List<String> groups = new ArrayList<>();
        for (int outage : new int[] { 5, 45, 120 }) {
            // Incidents open and page; their second level comes due while the database is away.
            List<String> beforeStop = List.of("Outage" + outage + "-a", "Outage" + outage + "-b");
            List<String> during = List.of("Outage" + outage + "-c", "Outage" + outage + "-d");
            int acceptedBefore = 0;
            for (String group : beforeStop) {
                acceptedBefore += stack.sendAlert(group, group + "-1") == 202 ? 1 : 0;
            }
            FaultStack.hold(Duration.ofMillis(700));
            postgres.close();
            Instant stopped = Instant.now();
            FaultStack.hold(Duration.ofSeconds(2));
            int acceptedDuring = 0;
            for (String group : during) {
                acceptedDuring += stack.sendAlert(group, group + "-1") == 202 ? 1 : 0;
            }
            boolean downDuring = !Services.ready(stack.escalation) || !Services.ready(stack.notifier);
            FaultStack.hold(Duration.ofSeconds(outage).minus(Duration.between(stopped, Instant.now())));
            postgres = startPostgres();
            Instant restarted = Instant.now();
            String readiness;
            try {
                await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
                        .until(() -> Services.ready(stack.escalation) && Services.ready(stack.notifier));
                readiness = Duration.between(restarted, Instant.now()).toMillis() + " ms";
            } catch (ConditionTimeoutException e) {
                readiness = "not recovered within 90 s (escalation " + Services.ready(stack.escalation)
                        + ", notifier " + Services.ready(stack.notifier) + ")";
                softly.fail("readiness after the " + outage + " s outage: " + readiness);
            }
            groups.addAll(beforeStop);
            groups.addAll(during);
            String converged;
            try {
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).until(() -> {
                    Map<String, String> incidents = stack.incidentOfGroup();
                    Map<String, Integer> slack = stack.slackRootsPerIncident();
                    Map<String, Integer> webhooks = stack.webhooksPerIncident();
                    return groups.stream().allMatch(group -> incidents.containsKey(group)
                            && slack.containsKey(incidents.get(group))
                            && stack.pagerDutyPerIncident("trigger").containsKey(incidents.get(group))
                            && webhooks.containsKey(incidents.get(group) + "/level 1"));
                });
                converged = Duration.between(restarted, Instant.now()).toMillis() + " ms";
            } catch (ConditionTimeoutException e) {
                converged = "not within 60 s";
                softly.fail("after the " + outage + " s outage not every incident was paged at both levels");
            }
            FaultStack.hold(Duration.ofSeconds(2));
            Map<String, Integer> deliveries = stack.deliveriesByStatus();
            Map<String, Integer> deadLetters = stack.deadLetters();
            Map<String, Integer> slack = stack.slackRootsPerIncident();
            Map<String, Integer> triggers = stack.pagerDutyPerIncident("trigger");
            Map<String, Integer> webhooks = stack.webhooksPerIncident();
            figures.add(String.format("outage=%ds alertsBefore=%d/2 alertsDuring=%d/2 readyWentDown=%s "
                    + "readinessRecovery=%s allPagedAfter=%s incidents=%s slackRoots=%d pdTriggers=%d webhooks=%d "
                    + "deliveries=%s deadLetters=%s", outage, acceptedBefore, acceptedDuring, downDuring, readiness,
                    converged, stack.incidentsPerGroup().size(), slack.size(), triggers.size(), webhooks.size(),
                    deliveries, deadLetters));
            softly.assertThat(acceptedBefore + acceptedDuring).as("alerts accepted around the %d s outage", outage)
                    .isEqualTo(4);
            softly.assertThat(stack.running).as("no service restarted (same processes, alive)").isEqualTo(before);
            before.forEach((module, process) -> softly.assertThat(process.isAlive()).as(module + " alive").isTrue());
            softly.assertThat(stack.incidentsPerGroup().values()).as("one incident per group").allMatch(n -> n == 1);
            softly.assertThat(slack.values()).as("Slack message per page after the %d s outage", outage)
                    .allMatch(n -> n == 1);
            softly.assertThat(triggers.values()).as("PagerDuty trigger per page after the %d s outage", outage)
                    .allMatch(n -> n == 1);
            softly.assertThat(webhooks.values()).as("webhook per page after the %d s outage", outage)
                    .allMatch(n -> n == 1);
            softly.assertThat(deliveries).as("deliveries after the %d s outage", outage)
                    .doesNotContainKeys("unknown", "failed");
            softly.assertThat(deadLetters.values()).as("dead letters after the %d s outage", outage)
                    .allMatch(n -> n == 0);
        }
        figures.forEach(line -> System.out.println("FIGURES database-outage: " + line));
        softly.assertAll();
    }
}
