package io.tocsin.escalation.api;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.hibernate.reactive.mutiny.Mutiny;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.smallrye.mutiny.Uni;
import io.tocsin.escalation.persistence.IncidentRecord;
import io.tocsin.escalation.persistence.TimelineEntryRecord;
import io.tocsin.escalation.service.IncidentCommands;
import io.tocsin.escalation.service.IncidentCommands.IllegalTransition;
import io.tocsin.events.Priority;
import io.vertx.ext.web.RoutingContext;

/** The incident API: list, read, timeline, and the commands people give. Bearer tokens from TOCSIN_API_TOKENS. */
@Path("/api/v1/incidents")
@Produces(MediaType.APPLICATION_JSON)
public class IncidentResource {

    private static final Set<String> STATES = Set.of("open", "acknowledged", "resolved");
    private static final int MAX_LIMIT = 200;

    private final Mutiny.SessionFactory sessions;
    private final IncidentCommands commands;
    private final ObjectMapper mapper;
    private final Clock clock;

    public IncidentResource(Mutiny.SessionFactory sessions, IncidentCommands commands, ObjectMapper mapper,
            Clock clock) {
        this.sessions = sessions;
        this.commands = commands;
        this.mapper = mapper;
        this.clock = clock;
    }

    /** A page of the list, newest first, with the cursor of the next page when there is one. */
    public record Page(List<IncidentView> items, String nextCursor) {
    }

    /** One line of an incident's timeline. */
    public record TimelineLine(Instant at, String kind, String actor, String summary, UUID eventId) {
    }

    @GET
    @Operation(summary = "List incidents, newest first; filter by state, priority, service and opening time")
    public Uni<Response> list(@QueryParam("state") String state, @QueryParam("priority") String priority,
            @QueryParam("service") String service, @QueryParam("since") String since,
            @QueryParam("until") String until, @QueryParam("limit") String limit, @QueryParam("cursor") String cursor,
            @Context UriInfo uri) {
        String path = uri.getPath();
        if (state != null && !STATES.contains(state)) {
            return bad(path, "state", "must be open, acknowledged or resolved");
        }
        if (priority != null && Priority.fromWire(priority) == Priority.UNKNOWN) {
            return bad(path, "priority", "must be P0, P1, P2 or P3");
        }
        Instant from;
        Instant to;
        int size;
        Object[] after;
        try {
            from = since == null ? null : Instant.parse(since);
        } catch (DateTimeParseException e) {
            return bad(path, "since", "must be an RFC 3339 time such as 2026-11-22T03:00:00Z");
        }
        try {
            to = until == null ? null : Instant.parse(until);
        } catch (DateTimeParseException e) {
            return bad(path, "until", "must be an RFC 3339 time such as 2026-11-22T03:00:00Z");
        }
        try {
            size = limit == null ? 50 : Integer.parseInt(limit);
        } catch (NumberFormatException e) {
            size = -1;
        }
        if (size < 1 || size > MAX_LIMIT) {
            return bad(path, "limit", "must be a whole number from 1 to " + MAX_LIMIT);
        }
        try {
            after = cursor == null ? null : decode(cursor);
        } catch (RuntimeException e) {
            return bad(path, "cursor", "is not a cursor this API returned");
        }
        StringBuilder query = new StringBuilder("from IncidentRecord where 1 = 1");
        if (state != null) {
            query.append(" and state = :state");
        }
        if (priority != null) {
            query.append(" and priority = :priority");
        }
        if (service != null) {
            query.append(" and service = :service");
        }
        if (from != null) {
            query.append(" and openedAt >= :since");
        }
        if (to != null) {
            query.append(" and openedAt < :until");
        }
        if (after != null) {
            query.append(" and (openedAt < :afterTime or (openedAt = :afterTime and id < :afterId))");
        }
        query.append(" order by openedAt desc, id desc");
        int pageSize = size;
        return sessions.withSession(session -> {
            var select = session.createSelectionQuery(query.toString(), IncidentRecord.class)
                    .setMaxResults(pageSize + 1);
            if (state != null) {
                select.setParameter("state", state);
            }
            if (priority != null) {
                select.setParameter("priority", Priority.fromWire(priority).name());
            }
            if (service != null) {
                select.setParameter("service", service);
            }
            if (from != null) {
                select.setParameter("since", from);
            }
            if (to != null) {
                select.setParameter("until", to);
            }
            if (after != null) {
                select.setParameter("afterTime", after[0]);
                select.setParameter("afterId", after[1]);
            }
            return select.getResultList();
        }).map(rows -> {
            List<IncidentView> items = rows.stream().limit(pageSize).map(IncidentView::of).toList();
            String next = rows.size() > pageSize ? encode(rows.get(pageSize - 1)) : null;
            return Response.ok(new Page(items, next)).build();
        });
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "One incident")
    public Uni<Response> get(@PathParam("id") String id, @Context UriInfo uri) {
        return withId(id, uri, incidentId -> {
            return sessions.withSession(session -> session.find(IncidentRecord.class, incidentId))
                    .map(incident -> incident == null ? ApiProblems.notFound(uri.getPath(), id)
                            : Response.ok(IncidentView.of(incident)).build());
        });
    }

    @GET
    @Path("/{id}/timeline")
    @Operation(summary = "Everything that happened to an incident, in order, with actor and time")
    public Uni<Response> timeline(@PathParam("id") String id, @Context UriInfo uri) {
        return withId(id, uri, incidentId -> {
            return sessions.withSession(session -> session.find(IncidentRecord.class, incidentId)
                    .chain(incident -> incident == null ? Uni.createFrom().<List<TimelineEntryRecord>> nullItem()
                            : session.createSelectionQuery("from TimelineEntryRecord where incidentId = :id order by id",
                                    TimelineEntryRecord.class).setParameter("id", incidentId).getResultList()))
                    .map(entries -> entries == null ? ApiProblems.notFound(uri.getPath(), id)
                            : Response.ok(Map.of("items", entries.stream().map(entry -> new TimelineLine(entry.occurredAt,
                                    entry.kind, entry.actor, entry.summary, entry.eventId)).toList())).build());
        });
    }

    @POST
    @Path("/{id}/acknowledge")
    @Operation(summary = "Acknowledge: escalation and the SLA clock stop (409 once resolved)")
    public Uni<Response> acknowledge(@PathParam("id") String id, RoutingContext routing, @Context UriInfo uri) {
        return command(id, uri,
                incidentId -> commands.acknowledge(incidentId, routing.get(ApiAuthenticationFilter.ACTOR)));
    }

    @POST
    @Path("/{id}/resolve")
    @Operation(summary = "Resolve by hand; resolving a resolved incident changes nothing")
    public Uni<Response> resolve(@PathParam("id") String id, RoutingContext routing, @Context UriInfo uri) {
        return command(id, uri,
                incidentId -> commands.resolve(incidentId, routing.get(ApiAuthenticationFilter.ACTOR), null));
    }

    @POST
    @Path("/{id}/unacknowledge")
    @Operation(summary = "Give an acknowledged incident back: it escalates again from its first level")
    public Uni<Response> unacknowledge(@PathParam("id") String id, RoutingContext routing, @Context UriInfo uri) {
        return command(id, uri,
                incidentId -> commands.unacknowledge(incidentId, routing.get(ApiAuthenticationFilter.ACTOR)));
    }

    @POST
    @Path("/{id}/escalate")
    @Operation(summary = "Fire the next escalation level now")
    public Uni<Response> escalate(@PathParam("id") String id, RoutingContext routing, @Context UriInfo uri) {
        return command(id, uri,
                incidentId -> commands.escalate(incidentId, routing.get(ApiAuthenticationFilter.ACTOR)));
    }

    @POST
    @Path("/{id}/snooze")
    @Operation(summary = "Pause escalation: body {\"until\": \"<RFC 3339>\"} or {\"minutes\": n}")
    public Uni<Response> snooze(@PathParam("id") String id, RoutingContext routing, @Context UriInfo uri,
            String body) {
        return withId(id, uri, incidentId -> {
            JsonNode json = json(body);
            if (json == null) {
                return bad(uri.getPath(), "body", "must be a JSON object with until or minutes");
            }
            Instant until;
            if (json.hasNonNull("until")) {
                try {
                    until = Instant.parse(json.get("until").asText());
                } catch (DateTimeParseException e) {
                    return bad(uri.getPath(), "until", "must be an RFC 3339 time such as 2026-11-22T03:00:00Z");
                }
            } else if (json.hasNonNull("minutes")) {
                JsonNode minutes = json.get("minutes");
                if (!minutes.canConvertToInt() || minutes.asInt() < 1 || minutes.asInt() > 7 * 24 * 60) {
                    return bad(uri.getPath(), "minutes", "must be a whole number from 1 to 10080 (a week)");
                }
                until = clock.instant().plus(Duration.ofMinutes(minutes.asInt()));
            } else {
                return bad(uri.getPath(), "until", "is required (or minutes)");
            }
            return answer(commands.snooze(incidentId, routing.get(ApiAuthenticationFilter.ACTOR), until), uri, id);
        });
    }

    @POST
    @Path("/{id}/priority")
    @Operation(summary = "Set the priority by hand: body {\"priority\": \"P0\"}; alerts no longer change it")
    public Uni<Response> priority(@PathParam("id") String id, RoutingContext routing, @Context UriInfo uri,
            String body) {
        return withId(id, uri, incidentId -> {
            JsonNode json = json(body);
            Priority priority = json == null || !json.hasNonNull("priority") ? Priority.UNKNOWN
                    : Priority.fromWire(json.get("priority").asText());
            if (priority == Priority.UNKNOWN) {
                return bad(uri.getPath(), "priority", "is required: P0, P1, P2 or P3");
            }
            return answer(commands.changePriority(incidentId, routing.get(ApiAuthenticationFilter.ACTOR), priority), uri,
                    id);
        });
    }

    @POST
    @Path("/{id}/notes")
    @Operation(summary = "Add a note to the timeline: body {\"text\": \"...\"}")
    public Uni<Response> note(@PathParam("id") String id, RoutingContext routing, @Context UriInfo uri, String body) {
        return withId(id, uri, incidentId -> {
            JsonNode json = json(body);
            String text = json == null || !json.hasNonNull("text") ? "" : json.get("text").asText().strip();
            if (text.isEmpty() || text.length() > 10_000) {
                return bad(uri.getPath(), "text", "is required: 1 to 10000 characters");
            }
            return answer(commands.addNote(incidentId, routing.get(ApiAuthenticationFilter.ACTOR), text), uri, id);
        });
    }

    private JsonNode json(String body) {
        try {
            JsonNode node = body == null || body.isBlank() ? null : mapper.readTree(body);
            return node != null && node.isObject() ? node : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** Runs {@code command} for a well-formed incident id; 400 naming the id otherwise. */
    private static Uni<Response> command(String id, UriInfo uri, Function<UUID, Uni<IncidentRecord>> command) {
        return withId(id, uri, incidentId -> answer(command.apply(incidentId), uri, id));
    }

    /** Runs {@code action} for a well-formed incident id; 400 naming the id otherwise. */
    private static Uni<Response> withId(String id, UriInfo uri, Function<UUID, Uni<Response>> action) {
        UUID incidentId = parse(id);
        return incidentId == null ? bad(uri.getPath(), "id", "is not an incident id (a UUID)")
                : action.apply(incidentId);
    }

    private static Uni<Response> answer(Uni<IncidentRecord> command, UriInfo uri, String id) {
        return command.map(incident -> incident == null ? ApiProblems.notFound(uri.getPath(), id)
                : Response.ok(IncidentView.of(incident)).build())
                .onFailure(IllegalTransition.class)
                .recoverWithItem(failure -> ApiProblems.conflict(uri.getPath(), failure.getMessage()));
    }

    private static Uni<Response> bad(String path, String field, String problem) {
        return Uni.createFrom().item(ApiProblems.badRequest(path, field, problem));
    }

    private static UUID parse(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String encode(IncidentRecord last) {
        String raw = last.openedAt.toString() + "|" + last.id;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    private static Object[] decode(String cursor) {
        String raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
        int bar = raw.indexOf('|');
        return new Object[] { Instant.parse(raw.substring(0, bar)), UUID.fromString(raw.substring(bar + 1)) };
    }
}
