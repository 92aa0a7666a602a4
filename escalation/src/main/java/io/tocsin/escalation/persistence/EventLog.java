package io.tocsin.escalation.persistence;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;

import org.hibernate.reactive.mutiny.Mutiny;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;

import io.smallrye.mutiny.Uni;
import io.tocsin.events.IncidentEvent;
import io.tocsin.events.Topics;
import io.tocsin.outbox.Outbox;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Records an incident event twice in the caller's transaction: as a timeline entry and as an outbox row. Both commit
 * with the state change that caused them, or neither does; the outbox relay publishes the row afterwards. In bulk
 * ({@link #recordAll}) the outbox may get fewer records that say the same (ADR 18).
 */
@ApplicationScoped
public class EventLog {

    /** Each event record's {@code type} name, read once from the annotations that define the wire format. */
    private static final Map<Class<?>, String> KINDS = Arrays
            .stream(IncidentEvent.class.getAnnotation(JsonSubTypes.class).value())
            .collect(Collectors.toUnmodifiableMap(JsonSubTypes.Type::value, JsonSubTypes.Type::name));

    /** One event with its timeline entry, for {@link #recordAll}. */
    public record Recorded(IncidentEvent event, String actor, String summary) {
    }

    // In the order given: WITH ORDINALITY, then ORDER BY it.
    private static final String TIMELINE_ALL = """
            INSERT INTO timeline_entry (incident_id, event_id, kind, actor, occurred_at, summary)
            SELECT i, e, k, a, o, s FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::timestamptz[],
                $6::text[]) WITH ORDINALITY AS r(i, e, k, a, o, s, n)
            ORDER BY n
            """;

    private final ObjectWriter writer;
    private final Outbox outbox;

    public EventLog(ObjectMapper mapper, Outbox outbox) {
        this.writer = mapper.writerFor(IncidentEvent.class);
        this.outbox = outbox;
    }

    public Uni<Void> record(Mutiny.Session session, IncidentEvent event, String actor, String summary) {
        return record(session, event, kind(event), actor, summary);
    }

    /** As {@link #record(Mutiny.Session, IncidentEvent, String, String)}, with a timeline kind finer than the type. */
    public Uni<Void> record(Mutiny.Session session, IncidentEvent event, String timelineKind, String actor,
            String summary) {
        TimelineEntryRecord entry = new TimelineEntryRecord();
        entry.incidentId = event.incidentId();
        entry.eventId = event.eventId();
        entry.kind = timelineKind;
        entry.actor = actor;
        entry.occurredAt = event.occurredAt();
        entry.summary = summary;

        return session.persist(entry).call(() -> outbox.add(session, Topics.INCIDENTS, event.incidentId().toString(),
                event.eventId(), json(event), event.occurredAt()));
    }

    /**
     * As {@link #record(Mutiny.Session, IncidentEvent, String, String)} for many events at once, in the transaction of
     * {@code connection}: two statements however many there are (escalation's bulk application of alerts). The
     * timeline gets an entry per recorded event; the outbox gets the {@code published} events, which say the same in
     * fewer records (several {@code alert.attached} as one {@code alerts.attached}, ADR 18).
     */
    public Uni<Void> recordAll(SqlConnection connection, List<Recorded> recorded, List<IncidentEvent> published) {
        if (recorded.isEmpty() && published.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        int size = recorded.size();
        UUID[] incidents = new UUID[size];
        UUID[] ids = new UUID[size];
        String[] kinds = new String[size];
        String[] actors = new String[size];
        OffsetDateTime[] at = new OffsetDateTime[size];
        String[] summaries = new String[size];
        for (int i = 0; i < size; i++) {
            IncidentEvent event = recorded.get(i).event();
            incidents[i] = event.incidentId();
            ids[i] = event.eventId();
            kinds[i] = kind(event);
            actors[i] = recorded.get(i).actor();
            at[i] = event.occurredAt().atOffset(ZoneOffset.UTC);
            summaries[i] = recorded.get(i).summary();
        }
        List<Outbox.Entry> rows = published.stream().map(event -> new Outbox.Entry(Topics.INCIDENTS,
                event.incidentId().toString(), event.eventId(), json(event), event.occurredAt())).toList();
        return connection.preparedQuery(TIMELINE_ALL)
                .execute(Tuple.from(List.<Object> of(incidents, ids, kinds, actors, at, summaries)))
                .chain(() -> outbox.addAll(connection, rows));
    }

    /**
     * A timeline entry that no reader outside escalation needs as an event, such as a timer given up; no outbox row.
     */
    public Uni<Void> note(Mutiny.Session session, UUID incidentId, String kind, String actor,
            Instant at, String summary) {
        TimelineEntryRecord entry = new TimelineEntryRecord();
        entry.incidentId = incidentId;
        entry.eventId = UUID.randomUUID();
        entry.kind = kind;
        entry.actor = actor;
        entry.occurredAt = at;
        entry.summary = summary;
        return session.persist(entry);
    }

    /** The event's {@code type} as written on the topic, such as {@code incident.opened}. */
    static String kind(IncidentEvent event) {
        return KINDS.getOrDefault(event.getClass(), "unknown");
    }

    private String json(IncidentEvent event) {
        try {
            return writer.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("incident events always serialize", e);
        }
    }
}
