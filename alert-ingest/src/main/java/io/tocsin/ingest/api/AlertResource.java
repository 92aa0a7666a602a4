package io.tocsin.ingest.api;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.smallrye.mutiny.Uni;
import io.tocsin.events.AlertOrigin;
import io.tocsin.events.AlertReceived;
import io.tocsin.ingest.config.IngestConfig;
import io.tocsin.ingest.domain.FieldError;
import io.tocsin.ingest.domain.InvalidPayloadException;
import io.tocsin.ingest.domain.PayloadReader;
import io.tocsin.ingest.messaging.AlertPublisher;
import io.tocsin.ingest.messaging.BrokerUnavailableException;
import io.tocsin.ingest.messaging.RecordsTooLargeException;
import io.tocsin.ingest.metrics.IngestMetrics;
import io.tocsin.ingest.metrics.IngestMetrics.Rejection;
import io.vertx.ext.web.RoutingContext;

/**
 * The inbound doors for alerts. A request is validated whole before anything is published, and answered 202 only once
 * Kafka has acknowledged every one of its alerts; 503 (which Alertmanager retries) when it has not.
 */
@Path("/api/v1/alerts")
public class AlertResource {

    private final PayloadReader reader;
    private final AlertPublisher publisher;
    private final Problems problems;
    private final IngestMetrics metrics;
    private final ObjectMapper mapper;
    private final Clock clock;
    private final long maxBodySize;
    private final int retryAfterSeconds;

    public AlertResource(PayloadReader reader, AlertPublisher publisher, Problems problems, IngestMetrics metrics,
            ObjectMapper mapper, Clock clock, IngestConfig config) {
        this.reader = reader;
        this.publisher = publisher;
        this.problems = problems;
        this.metrics = metrics;
        this.mapper = mapper;
        this.clock = clock;
        this.maxBodySize = config.limits().maxBodySize().asLongValue();
        this.retryAfterSeconds = config.retryAfterSeconds();
    }

    @POST
    @Path("/alertmanager")
    @Operation(summary = "Alertmanager webhook receiver (payload version 4)")
    @APIResponse(responseCode = "202", description = "Every alert is durably in Kafka")
    @APIResponse(responseCode = "400", description = "Invalid payload; the problem names each field at fault")
    @APIResponse(responseCode = "401", description = "Missing or unknown credential")
    @APIResponse(responseCode = "413", description = "Body larger than tocsin.ingest.limits.max-body-size, or an alert"
            + " too large for one Kafka record (the problem names it)")
    @APIResponse(responseCode = "415", description = "Content-Type is not JSON")
    @APIResponse(responseCode = "503", description = "Kafka unavailable; retry (Retry-After)")
    public Uni<Response> alertmanager(RoutingContext routing, @Context HttpHeaders headers,
            @Context UriInfo uri, byte[] body) {
        return ingest(AlertOrigin.ALERTMANAGER, routing.get(AuthenticationFilter.SOURCE), headers, uri, body);
    }

    @POST
    @Operation(summary = "Generic alert door: one alert object or an array of them")
    @APIResponse(responseCode = "202", description = "Every alert is durably in Kafka")
    @APIResponse(responseCode = "400", description = "Invalid payload; the problem names each field at fault")
    @APIResponse(responseCode = "401", description = "Missing or unknown credential")
    @APIResponse(responseCode = "413", description = "Body larger than tocsin.ingest.limits.max-body-size, or an alert"
            + " too large for one Kafka record (the problem names it)")
    @APIResponse(responseCode = "415", description = "Content-Type is not JSON")
    @APIResponse(responseCode = "503", description = "Kafka unavailable; retry (Retry-After)")
    public Uni<Response> generic(RoutingContext routing, @Context HttpHeaders headers,
            @Context UriInfo uri, byte[] body) {
        return ingest(AlertOrigin.GENERIC, routing.get(AuthenticationFilter.SOURCE), headers, uri, body);
    }

    private Uni<Response> ingest(AlertOrigin origin, String source, HttpHeaders headers, UriInfo uri, byte[] body) {
        long start = System.nanoTime();
        String path = uri.getPath();
        Instant receivedAt = clock.instant();

        Response refused = refuseUnreadable(source, path, headers.getMediaType(), body);
        List<AlertReceived> events = null;
        boolean list = origin == AlertOrigin.ALERTMANAGER;
        if (refused == null) {
            try {
                JsonNode root = mapper.readTree(body);
                list = list || (root != null && root.isArray());
                events = origin == AlertOrigin.ALERTMANAGER ? reader.readAlertmanager(root, source, receivedAt)
                        : reader.readGeneric(root, source, receivedAt);
            } catch (JsonProcessingException e) {
                metrics.rejected(source, Rejection.MALFORMED_JSON, 0);
                refused = problems.malformedJson(path, describe(e));
            } catch (InvalidPayloadException e) {
                metrics.rejected(source, Rejection.INVALID_PAYLOAD, 0);
                refused = problems.invalidPayload(path, e.errors());
            } catch (IOException e) {
                metrics.rejected(source, Rejection.MALFORMED_JSON, 0);
                refused = problems.malformedJson(path, "the body could not be read: " + e.getMessage());
            }
        }
        if (refused != null) {
            metrics.requestDuration(origin, refused.getStatus(), Duration.ofNanos(System.nanoTime() - start));
            return Uni.createFrom().item(refused);
        }

        int count = events.size();
        boolean alertList = list;
        metrics.received(source, origin, count);
        return publisher.publish(events)
                .map(ignored -> {
                    metrics.accepted(source, origin, count);
                    byte[] answer = ("{\"accepted\":" + count + "}").getBytes(StandardCharsets.US_ASCII);
                    return Response.accepted(answer).type(MediaType.APPLICATION_JSON_TYPE).build();
                })
                .onFailure(RecordsTooLargeException.class).recoverWithItem(failure -> {
                    metrics.rejected(source, Rejection.RECORD_TOO_LARGE, count);
                    return recordsTooLarge(path, origin, alertList, (RecordsTooLargeException) failure);
                })
                .onFailure(BrokerUnavailableException.class).recoverWithItem(failure -> {
                    metrics.rejected(source, Rejection.BROKER_UNAVAILABLE, count);
                    return problems.brokerUnavailable(path, retryAfterSeconds);
                })
                .invoke(response -> metrics.requestDuration(origin, response.getStatus(),
                        Duration.ofNanos(System.nanoTime() - start)));
    }

    private Response recordsTooLarge(String path, AlertOrigin origin, boolean list, RecordsTooLargeException failure) {
        List<FieldError> errors = new ArrayList<>();
        for (RecordsTooLargeException.TooLarge record : failure.records()) {
            String field = !list ? "body"
                    : origin == AlertOrigin.ALERTMANAGER ? "alerts[" + record.index() + "]"
                            : "[" + record.index() + "]";
            errors.add(new FieldError(field, record.bytes() < 0 ? "the broker refused its Kafka record as too large"
                    : "would be a Kafka record of " + record.bytes() + " bytes; at most " + failure.limit()
                            + " are sent (max.request.size)"));
        }
        return problems.recordTooLarge(path, errors, failure.limit());
    }

    /** A response for a body that must not be parsed at all, or {@code null} when it may be. */
    private Response refuseUnreadable(String source, String path, MediaType type, byte[] body) {
        if (type == null || !isJson(type)) {
            metrics.rejected(source, Rejection.UNSUPPORTED_MEDIA_TYPE, 0);
            return problems.unsupportedMediaType(path, type == null ? null : type.toString());
        }
        if (body.length > maxBodySize) {
            metrics.rejected(source, Rejection.PAYLOAD_TOO_LARGE, 0);
            return problems.tooLarge(path, body.length, maxBodySize);
        }
        if (body.length == 0) {
            metrics.rejected(source, Rejection.MALFORMED_JSON, 0);
            return problems.malformedJson(path, "the body is empty; expected a JSON document");
        }
        return null;
    }

    private static boolean isJson(MediaType type) {
        return type.getType().equalsIgnoreCase("application")
                && (type.getSubtype().equalsIgnoreCase("json") || type.getSubtype().toLowerCase().endsWith("+json"));
    }

    private static String describe(JsonProcessingException e) {
        String message = e.getOriginalMessage();
        if (e.getLocation() != null) {
            return "malformed JSON at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr()
                    + ": " + message;
        }
        return "malformed JSON: " + message;
    }
}
