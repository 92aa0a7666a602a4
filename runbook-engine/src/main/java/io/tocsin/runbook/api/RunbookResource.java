package io.tocsin.runbook.api;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

import jakarta.ws.rs.Consumes;
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
import org.hibernate.LockMode;
import org.hibernate.exception.ConstraintViolationException;
import org.hibernate.reactive.mutiny.Mutiny;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.smallrye.mutiny.Uni;
import io.tocsin.outbox.OutboxRelay;
import io.tocsin.runbook.config.RunbookSettings;
import io.tocsin.runbook.domain.LoadedRunbook;
import io.tocsin.runbook.domain.Runbook;
import io.tocsin.runbook.domain.RunbookCatalog;
import io.tocsin.runbook.domain.RunbookFileParser;
import io.tocsin.runbook.domain.Trigger;
import io.tocsin.runbook.persistence.IncidentViewRecord;
import io.tocsin.runbook.persistence.RunRecord;
import io.tocsin.runbook.persistence.StepRecord;
import io.tocsin.runbook.service.RunRounds;
import io.tocsin.runbook.service.Runner;
import io.vertx.ext.web.RoutingContext;

/** The runbook API: loaded runbooks, runs, manual starts, approvals and cancels. Bearer tokens from TOCSIN_API_TOKENS. */
@Path("/api/v1")
@Produces(MediaType.APPLICATION_JSON)
public class RunbookResource {

    private static final int MAX_LIMIT = 200;

    private final Mutiny.SessionFactory sessions;
    private final RunbookCatalog catalog;
    private final Runner runner;
    private final RunRounds rounds;
    private final OutboxRelay relay;
    private final RunbookSettings config;
    private final ObjectMapper mapper;
    private final RunbookFileParser.Settings settings;
    private final Clock clock;

    public RunbookResource(Mutiny.SessionFactory sessions, RunbookCatalog catalog, Runner runner, RunRounds rounds,
            OutboxRelay relay,
            RunbookSettings config, ObjectMapper mapper, RunbookFileParser.Settings settings, Clock clock) {
        this.sessions = sessions;
        this.catalog = catalog;
        this.runner = runner;
        this.rounds = rounds;
        this.relay = relay;
        this.config = config;
        this.mapper = mapper;
        this.settings = settings;
        this.clock = clock;
    }

    /** A loaded runbook file: valid and runnable, or invalid with every problem and its line. */
    public record RunbookInfo(String name, String file, boolean valid, List<String> errors, List<String> warnings,
            String description, String trigger, Map<String, String> labels, String minPriority, Boolean dryRun,
            List<Map<String, String>> steps) {
    }

    @GET
    @Path("/runbooks")
    @Operation(summary = "The runbooks loaded at start, valid or not, with their problems")
    public Map<String, Object> runbooks() {
        return Map.of("dryRun", config.dryRun(), "items", catalog.files().stream().map(this::info).toList());
    }

    private RunbookInfo info(LoadedRunbook file) {
        Runbook r = file.runbook();
        if (r == null) {
            return new RunbookInfo(file.name(), file.file(), false, file.errors(), file.warnings(), null, null, null,
                    null, null, null);
        }
        return new RunbookInfo(r.name(), r.file(), true, List.of(), file.warnings(), r.description(),
                r.trigger().wire(), r.match().labels(),
                r.match().minPriority() == null ? null : r.match().minPriority().name(),
                config.dryRun() || Boolean.TRUE.equals(r.dryRun()),
                r.steps().stream().map(s -> Map.of("name", s.name(), "kind", s.kind())).toList());
    }

    /** What a runbook file would load as, without deploying it. */
    public record Validation(String name, boolean valid, List<String> errors, List<String> warnings) {
    }

    @POST
    @Path("/runbooks/validate")
    @Consumes(MediaType.WILDCARD)
    @Operation(summary = "Check a runbook file (the body, YAML) as the engine would load it: errors and warnings with "
            + "their lines; nothing is loaded or run")
    public Validation validate(@QueryParam("file") String file, String body) {
        LoadedRunbook loaded = RunbookFileParser.parse(body == null ? "" : body, file == null || file.isBlank()
                ? "runbook.yaml"
                : file, settings);
        return new Validation(loaded.name(), loaded.valid(), loaded.errors(), loaded.warnings());
    }

    @GET
    @Path("/runbook-runs")
    @Operation(summary = "Runs, newest first; filter by incident, runbook and state")
    public Uni<Response> runs(@QueryParam("incident") String incident, @QueryParam("runbook") String runbook,
            @QueryParam("state") String state, @QueryParam("limit") String limit, @Context UriInfo uri) {
        UUID incidentId;
        try {
            incidentId = incident == null ? null : UUID.fromString(incident);
        } catch (IllegalArgumentException e) {
            return bad(uri, "incident", "is not an incident id (a UUID)");
        }
        if (state != null && !List.of(RunRecord.RUNNING, RunRecord.SUCCEEDED, RunRecord.FAILED, RunRecord.CANCELLED)
                .contains(state)) {
            return bad(uri, "state", "must be running, succeeded, failed or cancelled");
        }
        int size;
        try {
            size = limit == null ? 50 : Integer.parseInt(limit);
        } catch (NumberFormatException e) {
            size = -1;
        }
        if (size < 1 || size > MAX_LIMIT) {
            return bad(uri, "limit", "must be a whole number from 1 to " + MAX_LIMIT);
        }
        StringBuilder query = new StringBuilder("from RunRecord where 1 = 1");
        if (incidentId != null) {
            query.append(" and incidentId = :incident");
        }
        if (runbook != null) {
            query.append(" and runbook = :runbook");
        }
        if (state != null) {
            query.append(" and state = :state");
        }
        query.append(" order by startedAt desc, id");
        int max = size;
        return sessions.withSession(session -> {
            var select = session.createSelectionQuery(query.toString(), RunRecord.class).setMaxResults(max);
            if (incidentId != null) {
                select.setParameter("incident", incidentId);
            }
            if (runbook != null) {
                select.setParameter("runbook", runbook);
            }
            if (state != null) {
                select.setParameter("state", state);
            }
            return select.getResultList();
        }).map(runs -> Response.ok(Map.of("items", runs.stream().map(r -> RunView.of(r, null)).toList())).build());
    }

    @GET
    @Path("/runbook-runs/{id}")
    @Operation(summary = "One run with every step it reached: inputs (secrets redacted), outputs, outcomes, times")
    public Uni<Response> run(@PathParam("id") String id, @Context UriInfo uri) {
        return withRun(id, uri, runId -> sessions.withSession(session -> view(session, runId))
                .map(view -> view == null ? Problems.notFound(uri.getPath(), "no run has the id " + id)
                        : Response.ok(view).build()));
    }

    @POST
    @Path("/incidents/{id}/runbooks/{name}/run")
    @Operation(summary = "Start a runbook for an incident now; body {\"dryRun\": true} only records what it would do")
    public Uni<Response> start(@PathParam("id") String id, @PathParam("name") String name, String body,
            RoutingContext routing, @Context UriInfo uri) {
        UUID incidentId;
        try {
            incidentId = UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            return bad(uri, "id", "is not an incident id (a UUID)");
        }
        boolean dryRun;
        try {
            JsonNode json = body == null || body.isBlank() ? mapper.createObjectNode() : mapper.readTree(body);
            JsonNode flag = json == null ? null : json.get("dryRun");
            if (json == null || !json.isObject() || (flag != null && !flag.isBoolean())) {
                return bad(uri, "dryRun", "must be true or false, in a JSON object such as {\"dryRun\": true}");
            }
            dryRun = flag != null && flag.asBoolean();
        } catch (java.io.IOException e) {
            return bad(uri, "body", "is not JSON");
        }
        LoadedRunbook file = catalog.file(name).orElse(null);
        if (file == null) {
            return Uni.createFrom().item(Problems.notFound(uri.getPath(), "no runbook is named " + name));
        }
        if (!file.valid()) {
            return Uni.createFrom().item(Problems.conflict(uri.getPath(), "runbook " + name + " is invalid and "
                    + "cannot run: " + String.join("; ", file.errors())));
        }
        Runbook runbook = file.runbook();
        String actor = routing.get(ApiAuthenticationFilter.ACTOR);
        Instant now = clock.instant();
        return sessions.withTransaction((session, tx) -> session.find(IncidentViewRecord.class, incidentId)
                .chain(incident -> {
                    if (incident == null) {
                        return Uni.createFrom().item(Problems.notFound(uri.getPath(), "no incident has the id " + id));
                    }
                    String mismatch = runbook.match().labelMismatch(incident.labels);
                    if (mismatch != null) {
                        return Uni.createFrom().item(Problems.conflict(uri.getPath(), "runbook " + name
                                + " does not apply to this incident: " + mismatch));
                    }
                    return runner.start(session, runbook, incident, Trigger.MANUAL, actor, dryRun, now)
                            .chain(started -> started.refusal() != null
                                    ? Uni.createFrom().item(Problems.conflict(uri.getPath(), started.refusal()))
                                    : session.flush().replaceWith(Response.status(201)
                                            .entity(RunView.of(started.run(), null))
                                            .header("Location", "/api/v1/runbook-runs/" + started.run().id).build()));
                }))
                // Two starts at once: the loser breaks the one-running-run index.
                .onFailure(RunbookResource::brokeAConstraint).recoverWithItem(() -> Problems.conflict(uri.getPath(),
                        "a run of " + name + " is already in progress for this incident"))
                .invoke(this::kicked);
    }

    @POST
    @Path("/runbook-runs/{id}/approve")
    @Operation(summary = "Approve the approval step the run waits for; body {\"reason\": \"...\"} optional")
    public Uni<Response> approve(@PathParam("id") String id, String body, RoutingContext routing,
            @Context UriInfo uri) {
        return decide(id, body, true, routing, uri);
    }

    @POST
    @Path("/runbook-runs/{id}/deny")
    @Operation(summary = "Deny the approval step the run waits for; the run stops unless the step says on_failure: continue")
    public Uni<Response> deny(@PathParam("id") String id, String body, RoutingContext routing, @Context UriInfo uri) {
        return decide(id, body, false, routing, uri);
    }

    @POST
    @Path("/runbook-runs/{id}/cancel")
    @Operation(summary = "Cancel a run in progress; a call already under way finishes but nothing after it runs")
    public Uni<Response> cancel(@PathParam("id") String id, String body, RoutingContext routing,
            @Context UriInfo uri) {
        String actor = routing.get(ApiAuthenticationFilter.ACTOR);
        return withReason(body, uri, reason -> withRun(id, uri, runId -> sessions.withTransaction((session, tx) -> session
                .find(RunRecord.class, runId, LockMode.PESSIMISTIC_WRITE).chain(run -> run == null
                        ? Uni.createFrom().item(Problems.notFound(uri.getPath(), "no run has the id " + id))
                        : runner.cancel(session, run, actor, reason, clock.instant())
                                .chain(refusal -> answer(session, runId, refusal, uri))))
                .invoke(this::kicked)));
    }

    private Uni<Response> decide(String id, String body, boolean approve, RoutingContext routing, UriInfo uri) {
        String actor = routing.get(ApiAuthenticationFilter.ACTOR);
        Integer step;
        try {
            JsonNode json = body == null || body.isBlank() ? null : mapper.readTree(body);
            JsonNode given = json == null || !json.isObject() ? null : json.get("step");
            if (given != null && !given.canConvertToInt()) {
                return bad(uri, "step", "must be the index of the approval step (0 first), such as {\"step\": 4}");
            }
            step = given == null ? null : given.asInt();
        } catch (java.io.IOException e) {
            return bad(uri, "body", "is not JSON");
        }
        // Locked as it is read: a round may be timing the approval out at this very moment.
        return withReason(body, uri, reason -> withRun(id, uri, runId -> sessions.withTransaction((session, tx) -> session
                .find(RunRecord.class, runId, LockMode.PESSIMISTIC_WRITE).chain(found -> found == null
                        ? Uni.createFrom().item(Problems.notFound(uri.getPath(), "no run has the id " + id))
                        : runner.decide(session, runId, step, approve, actor, reason, clock.instant())
                                .chain(refusal -> answer(session, runId, refusal, uri))))
                .invoke(this::kicked)));
    }

    private Uni<Response> answer(Mutiny.Session session, UUID runId, String refusal, UriInfo uri) {
        if (refusal != null) {
            return Uni.createFrom().item(Problems.conflict(uri.getPath(), refusal));
        }
        return session.flush().chain(() -> view(session, runId)).map(view -> Response.ok(view).build());
    }

    private void kicked(Response response) {
        if (response.getStatus() < 300) {
            relay.kick();
            rounds.kick();
        }
    }

    private Uni<RunView> view(Mutiny.Session session, UUID runId) {
        return session.find(RunRecord.class, runId).chain(run -> run == null ? Uni.createFrom().nullItem()
                : session.createSelectionQuery("from StepRecord where runId = :run order by stepIndex",
                        StepRecord.class).setParameter("run", runId).getResultList()
                        .map(steps -> RunView.of(run, steps)));
    }

    private Uni<Response> withReason(String body, UriInfo uri, Function<String, Uni<Response>> action) {
        try {
            JsonNode json = body == null || body.isBlank() ? mapper.createObjectNode() : mapper.readTree(body);
            JsonNode reason = json == null ? null : json.get("reason");
            if (json == null || !json.isObject() || (reason != null && !reason.isTextual())) {
                return bad(uri, "reason", "must be text, in a JSON object such as {\"reason\": \"checked the graphs\"}");
            }
            if (reason != null && reason.asText().length() > 500) {
                return bad(uri, "reason", "must be at most 500 characters");
            }
            return action.apply(reason == null ? null : reason.asText());
        } catch (java.io.IOException e) {
            return bad(uri, "body", "is not JSON");
        }
    }

    private static Uni<Response> withRun(String id, UriInfo uri, Function<UUID, Uni<Response>> action) {
        UUID runId;
        try {
            runId = UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            return bad(uri, "id", "is not a run id (a UUID)");
        }
        return action.apply(runId);
    }

    private static boolean brokeAConstraint(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof ConstraintViolationException) {
                return true;
            }
        }
        return false;
    }

    private static Uni<Response> bad(UriInfo uri, String field, String problem) {
        return Uni.createFrom().item(Problems.badRequest(uri.getPath(), field, problem));
    }
}
