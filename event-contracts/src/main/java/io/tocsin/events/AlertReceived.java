package io.tocsin.events;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One alert, as reported by a source and accepted by alert-ingest, on {@link Topics#ALERTS}. A delivery that repeats an
 * earlier one (Alertmanager resends whole groups) yields a new event with the same fingerprint and startsAt; consumers
 * deduplicate on those, not on {@code eventId}.
 *
 * @param eventId unique per event, for tracing and for consumers that skip events they have processed
 * @param receivedAt when alert-ingest accepted the request
 * @param source the name of the credential the sender authenticated with
 * @param origin the inbound door
 * @param fingerprint the alert's identity: Alertmanager's fingerprint, the sender's, or computed from the labels the
 *        way Alertmanager does
 * @param status firing or resolved
 * @param labels the identifying labels
 * @param annotations the descriptive annotations (summary, description, runbook_url, ...)
 * @param startsAt when the alert started firing
 * @param endsAt when it ended; {@code null} while it fires with no known end
 * @param generatorUrl a link back to the rule or query that produced it, or {@code null}
 * @param alertmanager the Alertmanager notification it came in, or {@code null} for other origins
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AlertReceived(
        UUID eventId,
        Instant receivedAt,
        String source,
        AlertOrigin origin,
        String fingerprint,
        AlertStatus status,
        Map<String, String> labels,
        Map<String, String> annotations,
        Instant startsAt,
        Instant endsAt,
        String generatorUrl,
        AlertmanagerGroup alertmanager) {

    public AlertReceived {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    }

    /**
     * The Kafka record key: the Alertmanager group key when there is one, so that one group's events (and so each of
     * its alerts' events) stay in order on one partition; otherwise the source and fingerprint.
     */
    @JsonIgnore
    public String partitionKey() {
        if (alertmanager != null && alertmanager.groupKey() != null && !alertmanager.groupKey().isEmpty()) {
            return alertmanager.groupKey();
        }
        return source + "/" + fingerprint;
    }
}
