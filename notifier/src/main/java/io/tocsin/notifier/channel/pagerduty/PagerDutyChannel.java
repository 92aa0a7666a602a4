package io.tocsin.notifier.channel.pagerduty;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.rest.client.inject.RestClient;

import io.smallrye.mutiny.Uni;
import io.tocsin.events.NotificationTarget;
import io.tocsin.events.Priority;
import io.tocsin.notifier.channel.Delivery;
import io.tocsin.notifier.channel.NotificationChannel;
import io.tocsin.notifier.channel.SendResult;
import io.tocsin.notifier.domain.DeliveryAction;
import io.tocsin.notifier.domain.IncidentSnapshot;
import io.tocsin.notifier.domain.RetryAfter;

/**
 * PagerDuty Events API v2: a trigger per page, then acknowledge and resolve, all under one dedup_key per incident, so
 * retries, restarts and repeated pages update one PagerDuty alert instead of opening new ones.
 */
@ApplicationScoped
public class PagerDutyChannel implements NotificationChannel {

    private final PagerDutyEventsClient client;
    private final Clock clock;

    public PagerDutyChannel(@RestClient PagerDutyEventsClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
    }

    /** The dedup_key of an incident: stable for its whole life, whatever is retried or restarted. */
    public static String dedupKey(IncidentSnapshot incident) {
        return "tocsin-" + incident.id();
    }

    /** PagerDuty's severity for a priority. */
    public static String severity(Priority priority) {
        return switch (priority) {
            case P0 -> "critical";
            case P1 -> "error";
            case P2 -> "warning";
            case P3, UNKNOWN -> "info";
        };
    }

    @Override
    public NotificationTarget.Channel kind() {
        return NotificationTarget.Channel.PAGERDUTY;
    }

    @Override
    public String notConfigured(NotificationTarget target) {
        return target.address() == null || target.address().isBlank()
                ? "not sent: channel not configured (no PagerDuty routing key; set TOCSIN_PAGERDUTY_ROUTING_KEY)"
                : null;
    }

    @Override
    public String destination(NotificationTarget target) {
        return "pagerduty";
    }

    @Override
    public Uni<SendResult> send(Delivery delivery) {
        Map<String, Object> event = event(delivery.action(), delivery.target().address(), delivery.incident());
        String action = (String) event.get("event_action");
        return client.enqueue(event)
                .map(response -> result(action, response.getStatus(), response.getHeaderString("Retry-After")))
                .onFailure(WebApplicationException.class).recoverWithItem(failure -> {
                    Response response = ((WebApplicationException) failure).getResponse();
                    return result(action, response.getStatus(), response.getHeaderString("Retry-After"));
                })
                .onFailure().recoverWithItem(failure -> SendResult.Retry
                        .of(action + ": " + failure.getClass().getSimpleName() + " " + failure.getMessage()));
    }

    /** The Events API v2 body for one action. */
    static Map<String, Object> event(DeliveryAction action, String routingKey, IncidentSnapshot incident) {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("routing_key", routingKey.trim());
        event.put("dedup_key", dedupKey(incident));
        switch (action) {
            case PAGERDUTY_ACKNOWLEDGE -> event.put("event_action", "acknowledge");
            case PAGERDUTY_RESOLVE -> event.put("event_action", "resolve");
            default -> {
                event.put("event_action", "trigger");
                Map<String, Object> payload = new LinkedHashMap<>();
                String summary = "[" + incident.priority() + "] " + incident.title();
                payload.put("summary", summary.length() > 1024 ? summary.substring(0, 1023) + "…" : summary);
                payload.put("source", incident.source());
                payload.put("severity", severity(incident.priority()));
                payload.put("timestamp", incident.openedAt().toString());
                if (incident.service() != null) {
                    payload.put("component", incident.service());
                }
                String alertname = incident.labels().get("alertname");
                if (alertname != null) {
                    payload.put("class", alertname);
                }
                Map<String, Object> details = new LinkedHashMap<>();
                details.put("labels", incident.labels());
                details.put("annotations", incident.annotations());
                details.put("alerts", incident.alerts());
                details.put("firing", incident.firing());
                details.put("incident", incident.url());
                payload.put("custom_details", details);
                event.put("payload", payload);
                List<Map<String, String>> links = new ArrayList<>();
                links.add(Map.of("href", incident.url(), "text", "Tocsin incident"));
                if (incident.runbookUrl() != null) {
                    links.add(Map.of("href", incident.runbookUrl(), "text", "Runbook"));
                }
                if (incident.generatorUrl() != null) {
                    links.add(Map.of("href", incident.generatorUrl(), "text", "Source"));
                }
                event.put("links", links);
                event.put("client", "Tocsin");
                event.put("client_url", incident.url());
            }
        }
        return event;
    }

    private SendResult result(String action, int status, String retryAfter) {
        if (status >= 200 && status < 300) {
            return SendResult.Delivered.of(action + " accepted by PagerDuty (HTTP " + status + ")");
        }
        if (status == 429) {
            Duration wait = RetryAfter.parse(retryAfter, clock.instant(), Duration.ofSeconds(30));
            return new SendResult.Retry(action + ": HTTP 429, PagerDuty asked to wait " + wait.toSeconds() + "s",
                    wait, true);
        }
        if (status >= 500 || status == 408) {
            return SendResult.Retry.of(action + ": HTTP " + status);
        }
        return new SendResult.Failed(action + ": HTTP " + status + ", PagerDuty refused the event");
    }
}
