package io.tocsin.runbook.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.ws.rs.core.Response;

/** RFC 9457 problem details for the runbook API, each naming the field at fault where there is one. */
final class Problems {

    private Problems() {
    }

    static Response badRequest(String path, String field, String problem) {
        return build(400, "invalid-request", "The request is invalid", field + ": " + problem, path, field);
    }

    static Response notFound(String path, String what) {
        return build(404, "not-found", "Not found", what, path, null);
    }

    static Response conflict(String path, String detail) {
        return build(409, "conflict", "Not possible now", detail, path, null);
    }

    static Response build(int status, String kind, String title, String detail, String path, String field) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", "urn:tocsin:problem:" + kind);
        body.put("title", title);
        body.put("status", status);
        body.put("detail", detail);
        body.put("instance", path);
        if (field != null) {
            body.put("errors", List.of(Map.of("field", field, "problem", detail.substring(field.length() + 2))));
        }
        return Response.status(status).type("application/problem+json").entity(body).build();
    }
}
