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
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import io.tocsin.testsupport.KafkaBroker;
import io.tocsin.testsupport.PostgresDatabase;

/**
 * Issue 11: poison records of every kind at every consumer of escalation, the notifier and the runbook engine
 * (unreadable JSON, the wrong shape, a record the database refuses, an over-long group key that bypassed
 * alert-ingest) each go to their dead-letter topic, and a good record after them on the same partition is applied. And a
 * rebalance: a second
 * escalation instance joins and leaves under load, and no alert is lost and no page doubled.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PoisonRecordIT {

    private static KafkaBroker broker;
    private static PostgresDatabase database;
    private static FaultStack stack;

    @BeforeAll
    static void start() throws Exception {
        broker = KafkaBroker.start();
        database = PostgresDatabase.create();
        stack = new FaultStack("poison", broker.bootstrapServers(), database.host(), database.port(),
                database.name(), Duration.ofSeconds(3));
        stack.start("alert-ingest");
        stack.start("escalation");
        stack.start("notifier", Map.of("TOCSIN_NOTIFIER_SLACK_THREAD_REPLIES", "normal"));
        stack.start("runbook-engine");
    }

    @AfterAll
    static void stop() throws Exception {
        FaultStack.closeAll(stack, broker, database);
    }

    // Second: a poison record that holds its partition (a bug this case catches) must not fail the rebalance case too.
    @Test
    @Order(2)
    void everyPoisonRecordIsDeadLetteredAndTheRecordAfterItIsApplied() throws Exception {
        assertThat(stack.sendAlert("PoisonHost", "poison-host")).isEqualTo(202);
        String incident = await().atMost(Duration.ofSeconds(30)).until(() -> stack.incidentOfGroup()
                .get("PoisonHost"), id -> id != null);
        await().atMost(Duration.ofSeconds(30)).until(() -> stack.slackRootsPerIncident().containsKey(incident));
        Map<String, Integer> deadBefore = stack.deadLetters();
        String now = Instant.now().toString();
        try (KafkaProducer<String, byte[]> producer = stack.rawProducer()) {
            // escalation, alerts: keyed as alert-ingest keys the good alert sent after them, so on its partition.
            String alertKey = "load/poison-after";
            stack.send(producer, "tocsin.alerts.v1", null, alertKey, "{\"eventId\":\"");
            stack.send(producer, "tocsin.alerts.v1", null, alertKey, "{\"eventId\":42,\"labels\":\"none\","
                    + "\"startsAt\":true}");
            stack.send(producer, "tocsin.alerts.v1", null, alertKey, alert("PoisonNul", "poison-nul",
                    "bad\\u0000value", now));
            stack.send(producer, "tocsin.alerts.v1", null, alertKey, alert(longName(30_000), "poison-long", "x", now));
            assertThat(stack.sendAlert("PoisonAfter", "poison-after")).isEqualTo(202);

            // escalation, commands, notifications, runbooks: keyed by the incident, then a good record of each.
            stack.send(producer, "tocsin.commands.v1", null, incident, "{\"commandId\":");
            stack.send(producer, "tocsin.commands.v1", null, incident, "{\"commandId\":[1],\"incidentId\":7}");
            stack.send(producer, "tocsin.commands.v1", null, incident, command(incident, "nul\\u0000note", now));
            stack.send(producer, "tocsin.commands.v1", null, incident, command(incident, "after-poison-command", now));

            String goodOutcome = UUID.randomUUID().toString();
            stack.send(producer, "tocsin.notifications.v1", null, incident, "{\"eventId\":");
            stack.send(producer, "tocsin.notifications.v1", null, incident, "{\"eventId\":false,\"attempt\":\"x\"}");
            stack.send(producer, "tocsin.notifications.v1", null, incident, outcome(UUID.randomUUID().toString(),
                    incident, "nul\\u0000detail", now));
            stack.send(producer, "tocsin.notifications.v1", null, incident, outcome(goodOutcome, incident,
                    "after-poison-outcome", now));

            String goodRunbook = UUID.randomUUID().toString();
            stack.send(producer, "tocsin.runbooks.v1", null, incident, "{\"eventId\":");
            stack.send(producer, "tocsin.runbooks.v1", null, incident, "{\"eventId\":{},\"runId\":3}");
            stack.send(producer, "tocsin.runbooks.v1", null, incident, runbookEvent(UUID.randomUUID().toString(),
                    incident, "nul\\u0000summary", now));
            stack.send(producer, "tocsin.runbooks.v1", null, incident, runbookEvent(goodRunbook, incident,
                    "after-poison-runbook", now));

            // notifier, incidents: keyed by the incident; the good event after them is a note through escalation.
            stack.send(producer, "tocsin.incidents.v1", null, incident, "{\"type\":\"incident.opened\",");
            stack.send(producer, "tocsin.incidents.v1", null, incident, "{\"type\":\"incident.opened\","
                    + "\"eventId\":\"not-a-uuid\",\"incidentId\":12}");
            stack.send(producer, "tocsin.incidents.v1", null, incident, opened(incident, "nul\\u0000title", now));
            assertThat(stack.api("POST", "/api/v1/incidents/" + incident + "/notes",
                    "{\"text\":\"after-poison-incident-event\"}")).isLessThan(300);

            // runbook-engine, incidents: the three poison events above, then a good one on their partition that
            // starts a run (an incident only the engine hears of; escalation ignores its runbook events).
            String runbookIncident = UUID.randomUUID().toString();
            stack.send(producer, "tocsin.incidents.v1", null, incident, openedForRunbook(runbookIncident, now));
            stack.send(producer, "tocsin.incidents.v1", null, incident, attachedForRunbook(runbookIncident, now));
            String run = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> stack.get("runbook-engine", "/api/v1/runbook-runs?incident=" + runbookIncident)
                            .path("items").path(0).path("id").asText(null), id -> id != null);
            // runbook-engine, runbook commands: unreadable, the wrong shape, refused by the database (NUL), then a
            // good cancel of that run, all keyed alike.
            stack.send(producer, "tocsin.runbook-commands.v1", null, incident, "{\"commandId\":");
            stack.send(producer, "tocsin.runbook-commands.v1", null, incident, "{\"commandId\":[1],\"runId\":7}");
            stack.send(producer, "tocsin.runbook-commands.v1", null, incident, runbookCommand(run, runbookIncident,
                    "cancel", "nul\\u0000reason", now));
            stack.send(producer, "tocsin.runbook-commands.v1", null, incident, runbookCommand(run, runbookIncident,
                    "cancel", "after-poison-runbook-command", now));

            Map<String, Boolean> applied = new HashMap<>();
            try {
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).until(() -> {
                    applied.put("alerts", stack.incidentOfGroup().containsKey("PoisonAfter"));
                    applied.put("commands", timeline(incident, "summary LIKE '%after-poison-command%'") > 0);
                    applied.put("notifications", timeline(incident, "event_id = '" + goodOutcome + "'") > 0);
                    applied.put("runbooks", timeline(incident, "event_id = '" + goodRunbook + "'") > 0);
                    applied.put("incidents (notifier)", stack.served("/api/chat.postMessage").stream()
                            .anyMatch(e -> String.valueOf(Slack.form(e.getRequest()).get("text"))
                                    .contains("after-poison-incident-event")));
                    applied.put("incidents (runbook-engine)", run != null);
                    applied.put("runbook commands", "cancelled".equals(stack.get("runbook-engine",
                            "/api/v1/runbook-runs/" + run).path("state").asText()));
                    return !applied.containsValue(false);
                });
            } finally {
                System.out.printf("FIGURES poison: goodRecordAfterPoisonApplied=%s deadLettersBefore=%s after=%s%n",
                        applied, deadBefore, stack.deadLetters());
            }
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> stack.deadLetters().get("tocsin.incidents.dlq.notifier.v1"),
                n -> n >= 3);
        Map<String, Integer> dead = stack.deadLetters();
        assertThat(dead).as("dead letters per topic").containsEntry("tocsin.alerts.dlq.v1", 4)
                .containsEntry("tocsin.commands.dlq.v1", 3)
                .containsEntry("tocsin.notifications.dlq.escalation.v1", 3)
                .containsEntry("tocsin.runbooks.dlq.escalation.v1", 3)
                .containsEntry("tocsin.incidents.dlq.notifier.v1", 3)
                .containsEntry("tocsin.notifications.dlq.v1", 0)
                .containsEntry("tocsin.incidents.dlq.runbook-engine.v1", 3)
                .containsEntry("tocsin.runbook-commands.dlq.v1", 3);
        assertThat(stack.incidentsPerGroup().keySet()).as("no incident for the poison alerts")
                .doesNotContain("PoisonNul").noneMatch(group -> group.startsWith("Long"));
    }

    @Test
    @Order(1)
    void aSecondEscalationInstanceJoiningAndLeavingUnderLoadLosesNoAlertAndDoublesNoPage() throws Exception {
        AtomicInteger next = new AtomicInteger();
        int second = Services.freePort();
        Process instance;
        FaultStack.Load load = stack.new Load("rebalance", () -> "Rebalance-" + (next.incrementAndGet() % 40),
                Duration.ofMillis(30));
        try {
            FaultStack.hold(Duration.ofSeconds(2));
            instance = stack.services.start("escalation", "poison-escalation-2", second, stack.escalationSettings());
            FaultStack.hold(Duration.ofSeconds(4));
            instance.destroy();
            instance.waitFor();
            FaultStack.hold(Duration.ofSeconds(3));
        } finally {
            load.close();
        }
        Set<String> accepted = load.accepted();
        Set<String> groups = load.acceptedGroups();
        try {
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).until(() -> {
                Map<String, String> incidentOf = stack.incidentOfGroup();
                List<String> ids = groups.stream().map(incidentOf::get).toList();
                return incidentOf.keySet().containsAll(groups) && stack.storedFingerprints().containsAll(accepted)
                        && stack.slackRootsPerIncident().keySet().containsAll(ids)
                        && stack.pagerDutyPerIncident("trigger").keySet().containsAll(ids)
                        && ids.stream().allMatch(id -> stack.webhooksPerIncident().containsKey(id + "/level 1"));
            });
        } finally {
            Map<String, String> incidentOf = stack.incidentOfGroup();
            List<String> known = groups.stream().filter(incidentOf::containsKey).map(incidentOf::get).toList();
            Set<String> stored = stack.storedFingerprints();
            System.out.printf("FIGURES rebalance (converged?): groupsWithoutIncident=%d acceptedNotStored=%d "
                    + "withoutSlack=%d withoutPagerDuty=%d withoutWebhook=%d%n",
                    groups.stream().filter(g -> !incidentOf.containsKey(g)).count(),
                    accepted.stream().filter(f -> !stored.contains(f)).count(),
                    known.stream().filter(id -> !stack.slackRootsPerIncident().containsKey(id)).count(),
                    known.stream().filter(id -> !stack.pagerDutyPerIncident("trigger").containsKey(id)).count(),
                    known.stream().filter(id -> !stack.webhooksPerIncident().containsKey(id + "/level 1")).count());
        }
        Map<String, String> incidentOf = stack.incidentOfGroup();
        List<String> ids = groups.stream().map(incidentOf::get).toList();
        FaultStack.hold(Duration.ofSeconds(3));
        Map<String, Integer> requested = stack.notificationsRequested();
        Map<String, Integer> slack = stack.slackRootsPerIncident();
        Map<String, Integer> triggers = stack.pagerDutyPerIncident("trigger");
        Map<String, Integer> webhooks = stack.webhooksPerIncident();
        System.out.printf("FIGURES rebalance: sent=%d answered2xx=%d groups=%d levelDuplicates=%d slackDuplicates=%d "
                + "pdDuplicates=%d webhookDuplicates=%d%n", load.answers.size(), accepted.size(), groups.size(),
                requested.values().stream().filter(n -> n > 1).count(),
                ids.stream().filter(id -> slack.get(id) > 1).count(),
                ids.stream().filter(id -> triggers.get(id) > 1).count(),
                webhooks.values().stream().filter(n -> n > 1).count());
        assertThat(stack.storedFingerprints()).as("every accepted alert stored").containsAll(accepted);
        assertThat(stack.incidentsPerGroup()).as("one incident per group")
                .allSatisfy((group, count) -> assertThat(count).as(group).isEqualTo(1));
        assertThat(requested).as("each level fired once")
                .allSatisfy((level, count) -> assertThat(count).as(level).isEqualTo(1));
        ids.forEach(id -> {
            assertThat(slack.get(id)).as("Slack messages of " + id).isEqualTo(1);
            assertThat(triggers.get(id)).as("PagerDuty triggers of " + id).isEqualTo(1);
            assertThat(webhooks.get(id + "/level 1")).as("second-level webhooks of " + id).isEqualTo(1);
        });
    }

    private static long timeline(String incident, String condition) throws Exception {
        return Long.parseLong(stack.query("SELECT count(*) FROM timeline_entry WHERE incident_id = '" + incident
                + "' AND " + condition).get(0).get(0));
    }

    private static String alert(String alertname, String fingerprint, String instance, String now) {
        return "{\"eventId\":\"" + UUID.randomUUID() + "\",\"receivedAt\":\"" + now + "\",\"source\":\"load\","
                + "\"origin\":\"generic\",\"fingerprint\":\"" + fingerprint + "\",\"status\":\"firing\","
                + "\"labels\":{\"alertname\":\"" + alertname + "\",\"service\":\"fault\",\"instance\":\"" + instance
                + "\"},\"annotations\":{},\"startsAt\":\"" + now + "\"}";
    }

    private static String command(String incident, String text, String now) {
        return "{\"commandId\":\"" + UUID.randomUUID() + "\",\"incidentId\":\"" + incident + "\",\"action\":\"add-note\","
                + "\"actor\":\"fault-test\",\"issuedAt\":\"" + now + "\",\"text\":\"" + text + "\"}";
    }

    private static String outcome(String eventId, String incident, String detail, String now) {
        return "{\"eventId\":\"" + eventId + "\",\"incidentId\":\"" + incident + "\",\"occurredAt\":\"" + now + "\","
                + "\"causeEventId\":\"" + UUID.randomUUID() + "\",\"target\":{\"channel\":\"slack\",\"address\":"
                + "\"#fault-test\"},\"action\":\"slack.post\",\"status\":\"delivered\",\"attempt\":1,\"detail\":\""
                + detail + "\"}";
    }

    private static String runbookEvent(String eventId, String incident, String summary, String now) {
        return "{\"eventId\":\"" + eventId + "\",\"incidentId\":\"" + incident + "\",\"occurredAt\":\"" + now + "\","
                + "\"runId\":\"" + UUID.randomUUID() + "\",\"runbook\":\"fault-test\",\"kind\":\"run.started\","
                + "\"actor\":\"runbook:fault-test\",\"summary\":\"" + summary + "\",\"dryRun\":false}";
    }

    private static String opened(String incident, String title, String now) {
        return "{\"type\":\"incident.opened\",\"eventId\":\"" + UUID.randomUUID() + "\",\"incidentId\":\""
                + UUID.randomUUID() + "\",\"occurredAt\":\"" + now + "\",\"groupKey\":\"alertname=PoisonTitle\","
                + "\"title\":\"" + title + "\",\"service\":\"fault\",\"priority\":\"P1\",\"groupLabels\":"
                + "{\"alertname\":\"PoisonTitle\"}}";
    }

    private static String openedForRunbook(String incident, String now) {
        return "{\"type\":\"incident.opened\",\"eventId\":\"" + UUID.randomUUID() + "\",\"incidentId\":\""
                + incident + "\",\"occurredAt\":\"" + now + "\",\"groupKey\":\"alertname=FaultRunbook\","
                + "\"title\":\"runbook after poison\",\"service\":\"fault\",\"priority\":\"P1\",\"groupLabels\":"
                + "{\"alertname\":\"FaultRunbook\"}}";
    }

    /** An opening run starts on the incident's first alert, whose labels decide which runbook applies. */
    private static String attachedForRunbook(String incident, String now) {
        return "{\"type\":\"alert.attached\",\"eventId\":\"" + UUID.randomUUID() + "\",\"incidentId\":\""
                + incident + "\",\"occurredAt\":\"" + now + "\",\"fingerprint\":\"fault-runbook\",\"labels\":"
                + "{\"alertname\":\"FaultRunbook\"},\"annotations\":{},\"startsAt\":\"" + now + "\","
                + "\"priority\":\"P1\"}";
    }

    private static String runbookCommand(String run, String incident, String action, String reason, String now) {
        return "{\"commandId\":\"" + UUID.randomUUID() + "\",\"runId\":\"" + run + "\",\"incidentId\":\""
                + incident + "\",\"action\":\"" + action + "\",\"actor\":\"slack:UFAULT\",\"issuedAt\":\""
                + now + "\",\"reason\":\"" + reason + "\"}";
    }

    private static String longName(int length) {
        Random random = new Random(11);
        StringBuilder name = new StringBuilder("Long");
        while (name.length() < length) {
            name.append(Integer.toString(random.nextInt(36), 36));
        }
        return name.toString();
    }
}
