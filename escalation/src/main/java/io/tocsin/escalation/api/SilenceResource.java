package io.tocsin.escalation.api;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.hibernate.reactive.mutiny.Mutiny;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.smallrye.mutiny.Uni;
import io.tocsin.escalation.persistence.SilenceRecord;
import io.vertx.ext.web.RoutingContext;

/**
 * Silences (maintenance windows): while one matches an incident, its notifications are withheld and the timeline says
 * so; alerts are still recorded and incidents still open.
 */
@Path("/api/v1/silences")
@Produces(MediaType.APPLICATION_JSON)
public class SilenceResource {

    private static final Duration LONGEST = Duration.ofDays(31);

    private final Mutiny.SessionFactory sessions;
    private final ObjectMapper mapper;
    private final Clock clock;

    public SilenceResource(Mutiny.SessionFactory sessions, ObjectMapper mapper, Clock clock) {
        this.sessions = sessions;
        this.mapper = mapper;
        this.clock = clock;
    }

    /** A silence as the API shows it. */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record SilenceView(UUID id, Map<String, String> matchers, Instant startsAt, Instant endsAt,
            String createdBy, String comment) {

        static SilenceView of(SilenceRecord record) {
            return new SilenceView(record.id, record.matchers, record.startsAt, record.endsAt, record.createdBy,
                    record.comment);
        }
    }

    @POST
    @Operation(summary = "Create a silence: {\"matchers\": {\"service\": \"db\", \"cluster\": \"~eu-.*\"}, "
            + "\"startsAt\": optional, \"endsAt\": required, \"comment\": optional}")
    public Uni<Response> create(String body, RoutingContext routing, @Context UriInfo uri) {
        String path = uri.getPath();
        JsonNode json;
        try {
            json = body == null || body.isBlank() ? null : mapper.readTree(body);
        } catch (IOException e) {
            json = null;
        }
        if (json == null || !json.isObject()) {
            return bad(path, "body", "must be a JSON object with matchers and endsAt");
        }
        JsonNode matcherNode = json.get("matchers");
        if (matcherNode == null || !matcherNode.isObject() || matcherNode.isEmpty()) {
            return bad(path, "matchers", "is required: an object of label names to values (~ for a regex)");
        }
        Map<String, String> matchers = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = matcherNode.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (!field.getValue().isTextual()) {
                return bad(path, "matchers." + field.getKey(), "must be a string");
            }
            String value = field.getValue().textValue();
            if (value.startsWith("~")) {
                try {
                    Pattern.compile(value.substring(1));
                } catch (PatternSyntaxException e) {
                    return bad(path, "matchers." + field.getKey(), "is not a valid regular expression");
                }
            }
            matchers.put(field.getKey(), value);
        }
        Instant now = clock.instant();
        Instant startsAt;
        Instant endsAt;
        try {
            startsAt = json.hasNonNull("startsAt") ? Instant.parse(json.get("startsAt").asText()) : now;
        } catch (DateTimeParseException e) {
            return bad(path, "startsAt", "must be an RFC 3339 time such as 2026-11-22T03:00:00Z");
        }
        if (!json.hasNonNull("endsAt")) {
            return bad(path, "endsAt", "is required: when the silence ends (RFC 3339)");
        }
        try {
            endsAt = Instant.parse(json.get("endsAt").asText());
        } catch (DateTimeParseException e) {
            return bad(path, "endsAt", "must be an RFC 3339 time such as 2026-11-22T05:00:00Z");
        }
        if (!endsAt.isAfter(startsAt) || !endsAt.isAfter(now)) {
            return bad(path, "endsAt", "must be after startsAt and in the future");
        }
        if (Duration.between(startsAt, endsAt).compareTo(LONGEST) > 0) {
            return bad(path, "endsAt", "a silence lasts at most 31 days; make a new one after");
        }
        String comment = json.hasNonNull("comment") ? json.get("comment").asText() : "";
        if (comment.length() > 1000) {
            return bad(path, "comment", "is at most 1000 characters");
        }
        SilenceRecord silence = new SilenceRecord();
        silence.id = UUID.randomUUID();
        silence.matchers = matchers;
        silence.startsAt = startsAt;
        silence.endsAt = endsAt;
        silence.createdBy = routing.get(ApiAuthenticationFilter.ACTOR);
        silence.createdAt = now;
        silence.comment = comment;
        return sessions.withTransaction((session, tx) -> session.persist(silence))
                .replaceWith(() -> Response.status(201).entity(SilenceView.of(silence)).build());
    }

    @GET
    @Operation(summary = "Silences that are active or still to come")
    public Uni<Response> list() {
        return sessions.withSession(session -> session.createSelectionQuery(
                "from SilenceRecord where endsAt > :now order by startsAt", SilenceRecord.class)
                .setParameter("now", clock.instant()).getResultList())
                .map(silences -> Response.ok(Map.of("items", silences.stream().map(SilenceView::of).toList()))
                        .build());
    }

    @DELETE
    @Path("/{id}")
    @Operation(summary = "End a silence now")
    public Uni<Response> expire(@PathParam("id") String id, @Context UriInfo uri) {
        UUID silenceId;
        try {
            silenceId = UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            return bad(uri.getPath(), "id", "is not a silence id (a UUID)");
        }
        return sessions.withTransaction((session, tx) -> session.find(SilenceRecord.class, silenceId)
                .invoke(silence -> {
                    if (silence != null && silence.endsAt.isAfter(clock.instant())) {
                        silence.endsAt = clock.instant();
                    }
                }))
                .map(silence -> silence == null
                        ? Response.status(404).type(ApiProblems.MEDIA_TYPE).entity(Map.of("type",
                                "urn:tocsin:problem:not-found", "title", "No such silence", "status", 404, "detail",
                                "no silence has the id " + id, "instance", uri.getPath())).build()
                        : Response.ok(SilenceView.of(silence)).build());
    }

    private static Uni<Response> bad(String path, String field, String problem) {
        return Uni.createFrom().item(ApiProblems.badRequest(path, field, problem));
    }
}
