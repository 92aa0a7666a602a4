package io.tocsin.runbook.service;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.hibernate.reactive.mutiny.Mutiny;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.smallrye.mutiny.Uni;
import io.tocsin.events.IncidentCommand;
import io.tocsin.events.RunbookEvent;
import io.tocsin.events.Topics;
import io.tocsin.outbox.Outbox;
import io.tocsin.runbook.persistence.RunRecord;

/**
 * Puts a run's progress on the record, in the caller's transaction: a {@link RunbookEvent} on
 * {@code tocsin.runbooks.v1} (escalation adds it to the incident timeline, the notifier to its Slack thread), and a
 * notify step's note as an {@code add-note} command.
 */
@ApplicationScoped
public class RunLog {

    private static final int MAX_SUMMARY = 1000;

    private final Outbox outbox;
    private final ObjectMapper mapper;

    public RunLog(Outbox outbox, ObjectMapper mapper) {
        this.outbox = outbox;
        this.mapper = mapper;
    }

    /** The actor of what the engine does by itself for {@code runbook}. */
    public static String engine(String runbook) {
        return "runbook:" + runbook;
    }

    /** A run-level event (started, succeeded, failed, cancelled). */
    public Uni<Void> run(Mutiny.Session session, RunRecord run, RunbookEvent.Kind kind, String actor, String summary,
            Instant now) {
        return add(session, new RunbookEvent(UUID.randomUUID(), run.incidentId, now, run.id, run.runbook, kind, null,
                null, null, actor, shorten(summary), run.dryRun, null));
    }

    /** A step-level event; {@code expiresAt} for an approval request. */
    public Uni<Void> step(Mutiny.Session session, RunRecord run, RunbookEvent.Kind kind, int index, String name,
            String stepKind, String actor, String summary, Instant now, Instant expiresAt) {
        return add(session, new RunbookEvent(UUID.randomUUID(), run.incidentId, now, run.id, run.runbook, kind, name,
                index, stepKind, actor, shorten(summary), run.dryRun, expiresAt));
    }

    /** A note on the incident's timeline and channels, once per run and step whatever happens. */
    public Uni<Void> note(Mutiny.Session session, RunRecord run, int index, String text, Instant now) {
        UUID commandId = UUID.nameUUIDFromBytes(("runbook-note:" + run.id + ":" + index)
                .getBytes(StandardCharsets.UTF_8));
        IncidentCommand note = new IncidentCommand(commandId, run.incidentId, IncidentCommand.Action.ADD_NOTE,
                engine(run.runbook), now, null, null, null, text);
        return outbox.add(session, Topics.COMMANDS, run.incidentId.toString(), commandId, json(note), now);
    }

    private Uni<Void> add(Mutiny.Session session, RunbookEvent event) {
        return outbox.add(session, Topics.RUNBOOKS, event.incidentId().toString(), event.eventId(), json(event),
                event.occurredAt());
    }

    private String json(Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("runbook events always serialize", e);
        }
    }

    private static String shorten(String text) {
        return text == null || text.length() <= MAX_SUMMARY ? text : text.substring(0, MAX_SUMMARY - 1) + "…";
    }
}
