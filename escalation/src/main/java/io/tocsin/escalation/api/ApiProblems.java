package io.tocsin.escalation.api;

import java.util.List;
import java.util.Map;

import jakarta.ws.rs.core.Response;

/** RFC 9457 problem details for escalation's API, each naming the field at fault where there is one. */
final class ApiProblems {

    static final String MEDIA_TYPE = "application/problem+json";

    private ApiProblems() {
    }

    static Response badRequest(String path, String field, String problem) {
        return build(400, "invalid-request", "The request is invalid", field + ": " + problem, path,
                List.of(Map.of("field", field, "problem", problem)));
    }

    static Response notFound(String path, String id) {
        return build(404, "not-found", "No such incident", "no incident has the id " + id, path, List.of());
    }

    static Response conflict(String path, String detail) {
        return build(409, "illegal-transition", "Not possible in the incident's state", detail, path, List.of());
    }

    /** The database away or busy past the command's retries: worth retrying, never a 5xx that reads as a bug. */
    static Response unavailable(String path) {
        return Response.fromResponse(build(503, "unavailable", "Try again shortly",
                "the database is unavailable or busy; nothing was changed", path, List.of()))
                .header("Retry-After", "2")
                .build();
    }

    static Response unauthenticated(String path) {
        return Response.fromResponse(build(401, "unauthenticated", "Authentication required",
                "send a token configured in TOCSIN_API_TOKENS as 'Authorization: Bearer <token>'", path, List.of()))
                .header("WWW-Authenticate", "Bearer realm=\"tocsin\"")
                .build();
    }

    private static Response build(int status, String kind, String title, String detail, String path,
            List<Map<String, String>> errors) {
        Map<String, Object> body = errors.isEmpty()
                ? Map.of("type", "urn:tocsin:problem:" + kind, "title", title, "status", status, "detail", detail,
                        "instance", path)
                : Map.of("type", "urn:tocsin:problem:" + kind, "title", title, "status", status, "detail", detail,
                        "instance", path, "errors", errors);
        return Response.status(status).type(MEDIA_TYPE).entity(body).build();
    }
}
