package io.tocsin.ingest.api;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.tocsin.ingest.domain.FieldError;

/** Builds the error responses of alert-ingest, all as RFC 9457 problem details. */
@ApplicationScoped
public class Problems {

    private final ObjectMapper mapper;

    public Problems(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    public Response invalidPayload(String path, List<FieldError> errors) {
        String detail = errors.size() == 1 ? errors.get(0).toString()
                : errors.size() + " problems, the first: " + errors.get(0);
        return build(400, "invalid-payload", "The alert payload is invalid", detail, path, errors);
    }

    public Response malformedJson(String path, String detail) {
        return build(400, "malformed-json", "The body is not valid JSON", detail, path,
                List.of(new FieldError("body", detail)));
    }

    public Response unauthenticated(String path) {
        return Response.fromResponse(build(401, "unauthenticated", "Authentication required",
                "send a token configured in TOCSIN_INGEST_TOKENS as 'Authorization: Bearer <token>', "
                        + "or as the basic-auth password with its name as the user",
                path, List.of()))
                .header("WWW-Authenticate", "Bearer realm=\"tocsin\"")
                .header("WWW-Authenticate", "Basic realm=\"tocsin\", charset=\"UTF-8\"")
                .build();
    }

    public Response tooLarge(String path, long size, long limit) {
        String detail = "the body is " + size + " bytes; at most " + limit
                + " are accepted (tocsin.ingest.limits.max-body-size; on Alertmanager, set max_alerts)";
        return build(413, "payload-too-large", "The body is too large", detail, path,
                List.of(new FieldError("body", detail)));
    }

    /** 413 naming each alert whose Kafka record would be larger than the producer may send. */
    public Response recordTooLarge(String path, List<FieldError> errors, long limit) {
        String detail = errors.size() + (errors.size() == 1 ? " alert is" : " alerts are")
                + " too large for one Kafka record (the producer's max.request.size is " + limit
                + " bytes); nothing was accepted. Shorten its annotations or labels (an Alertmanager notification's"
                + " common labels and annotations are copied into every alert's record)";
        return build(413, "record-too-large", "An alert is too large to store", detail, path, errors);
    }

    public Response unsupportedMediaType(String path, String contentType) {
        String detail = contentType == null ? "the Content-Type header is missing; send application/json"
                : "Content-Type " + contentType + " is not accepted; send application/json";
        return build(415, "unsupported-media-type", "Unsupported media type", detail, path,
                List.of(new FieldError("Content-Type", detail)));
    }

    public Response brokerUnavailable(String path, int retryAfterSeconds) {
        return Response.fromResponse(build(503, "broker-unavailable", "Alerts cannot be stored right now",
                "Kafka did not acknowledge the alerts in time; nothing was accepted, retry the whole request", path,
                List.of()))
                .header("Retry-After", Integer.toString(retryAfterSeconds))
                .build();
    }

    private Response build(int status, String kind, String title, String detail, String path, List<FieldError> errors) {
        Problem problem = new Problem("urn:tocsin:problem:" + kind, title, status, detail, path, errors);
        byte[] body;
        try {
            body = mapper.writeValueAsBytes(problem);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a Problem record always serializes", e);
        }
        return Response.status(status).type(Problem.MEDIA_TYPE).entity(body).build();
    }
}
