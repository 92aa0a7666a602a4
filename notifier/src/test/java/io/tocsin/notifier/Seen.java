package io.tocsin.notifier;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import io.tocsin.events.NotificationOutcome;
import io.tocsin.testsupport.TopicWatcher;

/** What the fakes and topics saw, per incident, and a way to fast-forward the test clock while waiting. */
public final class Seen {

    private Seen() {
    }

    /** Moves the test clock on by half a second per look, so paced messages come due, until the condition holds. */
    public static <T> T fastForwardUntil(java.util.concurrent.Callable<T> supplier, java.util.function.Predicate<T> done) {
        return await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
            TestClock.CLOCK.advance(Duration.ofMillis(500));
            return supplier.call();
        }, done);
    }

    /** The blocks of a Slack call as JSON text, with Gson's escapes of {@code < > & =} undone. */
    public static String blocks(LoggedRequest request) {
        try {
            return IncidentFeed.MAPPER.readTree(Fakes.form(request).get("blocks")).toString();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static List<LoggedRequest> posts(UUID incident) {
        return Fakes.requests("/api/chat.postMessage", incident.toString()).stream()
                .filter(request -> !Fakes.form(request).containsKey("thread_ts")).toList();
    }

    public static List<LoggedRequest> updates(UUID incident) {
        return Fakes.requests("/api/chat.update", incident.toString());
    }

    /** Thread replies: posts that answer in the thread of the incident's root message. */
    public static List<LoggedRequest> replies(UUID incident) {
        String root = rootTs(incident);
        return Fakes.requests("/api/chat.postMessage", "thread_ts").stream()
                .filter(request -> root != null && root.equals(Fakes.form(request).get("thread_ts"))).toList();
    }

    public static String rootTs(UUID incident) {
        List<String> roots = Db.column("SELECT root_ts FROM notifier.subscription WHERE incident_id = ? "
                + "AND root_ts IS NOT NULL", incident);
        return roots.isEmpty() ? null : roots.get(0);
    }

    public static List<NotificationOutcome> outcomes(TopicWatcher watcher, UUID incident) {
        return watcher.poll(Duration.ofMillis(200)).stream()
                .filter(record -> record.key().equals(incident.toString()))
                .map(ConsumerRecord::value)
                .map(json -> {
                    try {
                        return IncidentFeed.MAPPER.readValue(json, NotificationOutcome.class);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }).toList();
    }

    public static List<JsonNode> pagerDutyEvents(String routingKey) {
        return Fakes.requests("/v2/enqueue", routingKey).stream().map(request -> {
            try {
                return IncidentFeed.MAPPER.readTree(request.getBodyAsString());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).toList();
    }
}
