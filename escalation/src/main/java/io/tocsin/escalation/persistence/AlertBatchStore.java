package io.tocsin.escalation.persistence;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;

import io.smallrye.mutiny.Uni;
import io.tocsin.escalation.domain.AlertBatch;
import io.tocsin.events.AlertStatus;
import io.tocsin.events.Priority;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The statements of escalation's bulk application of alerts (ADR 17): a few per batch, whatever its size, each taking
 * arrays ({@code unnest}) in the caller's transaction. Reads lock what the batch may change (the latest occurrence of
 * each fingerprint, the unresolved incident of each group), in a fixed order, as the one-at-a-time path does; the
 * incidents {@code FOR NO KEY UPDATE}, as Hibernate's versioned update does, so that inserts referring to them
 * (timeline entries, timers) do not wait for the batch.
 */
@ApplicationScoped
public class AlertBatchStore {

    private static final String PROCESSED = "SELECT message_id FROM processed_message WHERE message_id = ANY($1::text[])";

    private static final String LATEST = """
            SELECT a.fingerprint, a.id, a.status, a.starts_at FROM unnest($1::text[]) AS f(fp)
            CROSS JOIN LATERAL (SELECT id, fingerprint, status, starts_at FROM alert WHERE fingerprint = f.fp
                ORDER BY starts_at DESC LIMIT 1 FOR UPDATE) a
            """;

    private static final String OPEN = """
            SELECT i.group_key, i.id, i.priority, i.priority_override IS NOT NULL AS overridden,
                (SELECT min(a.priority) FROM alert a WHERE a.incident_id = i.id AND a.status = 'firing') AS firing
            FROM incident i WHERE i.group_key = ANY($1::text[]) AND i.state <> 'resolved'
            ORDER BY i.id FOR NO KEY UPDATE OF i
            """;

    private static final String MARK = """
            INSERT INTO processed_message (message_id, processed_at) SELECT unnest($1::text[]), $2
            """;

    private static final String COUNT = """
            UPDATE alert AS a SET deliveries = a.deliveries + c.n, last_seen_at = $3
            FROM unnest($1::bigint[], $2::bigint[]) AS c(id, n) WHERE a.id = c.id
            """;

    private static final String INSERT = """
            INSERT INTO alert (incident_id, fingerprint, status, priority, labels, annotations, generator_url, source,
                starts_at, first_seen_at, last_seen_at, deliveries)
            SELECT i, f, 'firing', p, l::jsonb, an::jsonb, g, s, st, $9, $9, d
            FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                $8::timestamptz[], $10::bigint[]) WITH ORDINALITY AS r(i, f, p, l, an, g, s, st, d, n)
            ORDER BY n
            """;

    private static final String TOUCH = """
            UPDATE incident SET last_alert_at = $2, version = version + 1 WHERE id = ANY($1::uuid[])
            """;

    /** What a batch's plan is made against. */
    public record State(Set<String> processed, Map<String, AlertBatch.Stored> stored,
            Map<String, AlertBatch.Open> open) {
    }

    /** A new occurrence's row. */
    public record NewAlert(UUID incidentId, String fingerprint, Priority priority, Map<String, String> labels,
            Map<String, String> annotations, String generatorUrl, String source, Instant startsAt, long deliveries) {
    }

    private final ObjectWriter writer;

    public AlertBatchStore(ObjectMapper mapper) {
        this.writer = mapper.writer();
    }

    /**
     * Reads (and locks) what the plan of {@code deliveries} depends on; of the writable ones only (a NUL in a
     * fingerprint would fail the reads themselves, and the plan stops at such a delivery anyway).
     */
    public Uni<State> read(SqlConnection connection, List<AlertBatch.Delivery> all) {
        List<AlertBatch.Delivery> deliveries = all.stream().filter(AlertBatch.Delivery::writable).toList();
        String[] messages = deliveries.stream().map(AlertBatch.Delivery::messageId).toArray(String[]::new);
        // Sorted: two batches locking the same rows take them in the same order.
        String[] fingerprints = deliveries.stream().map(AlertBatch.Delivery::fingerprint)
                .filter(f -> f != null).distinct().sorted().toArray(String[]::new);
        String[] groups = deliveries.stream().map(AlertBatch.Delivery::groupKey).distinct().toArray(String[]::new);
        return connection.preparedQuery(PROCESSED).execute(Tuple.of(messages)).chain(processedRows -> {
            Set<String> processed = new HashSet<>();
            processedRows.forEach(row -> processed.add(row.getString(0)));
            return connection.preparedQuery(LATEST).execute(Tuple.of(fingerprints)).chain(latestRows -> {
                Map<String, AlertBatch.Stored> stored = new HashMap<>();
                latestRows.forEach(row -> stored.put(row.getString("fingerprint"),
                        new AlertBatch.Stored(row.getLong("id"), AlertStatus.fromWire(row.getString("status")),
                                instant(row, "starts_at"))));
                return connection.preparedQuery(OPEN).execute(Tuple.of(groups)).map(openRows -> {
                    Map<String, AlertBatch.Open> open = new HashMap<>();
                    openRows.forEach(row -> open.put(row.getString("group_key"),
                            new AlertBatch.Open(row.getUUID("id"), Priority.fromWire(row.getString("priority")),
                                    row.getBoolean("overridden"),
                                    row.getString("firing") == null ? null
                                            : Priority.fromWire(row.getString("firing")))));
                    return new State(processed, stored, open);
                });
            });
        });
    }

    /** Marks the messages processed, counts repeats, inserts new occurrences and touches their incidents. */
    public Uni<Void> write(SqlConnection connection, List<String> marks, Map<Long, Integer> counts,
            List<NewAlert> created, Set<UUID> incidents, Instant now) {
        OffsetDateTime at = now.atOffset(ZoneOffset.UTC);
        Uni<?> done = connection.preparedQuery(MARK).execute(Tuple.of(marks.toArray(String[]::new), at));
        if (!counts.isEmpty()) {
            Long[] ids = counts.keySet().toArray(Long[]::new);
            Long[] by = counts.values().stream().map(Integer::longValue).toArray(Long[]::new);
            done = done.chain(() -> connection.preparedQuery(COUNT).execute(Tuple.of(ids, by, at)));
        }
        if (!created.isEmpty()) {
            done = done.chain(() -> connection.preparedQuery(INSERT).execute(insertTuple(created, at)));
            done = done.chain(() -> connection.preparedQuery(TOUCH)
                    .execute(Tuple.of(incidents.toArray(UUID[]::new), at)));
        }
        return done.replaceWithVoid();
    }

    private Tuple insertTuple(List<NewAlert> created, OffsetDateTime now) {
        int size = created.size();
        UUID[] incidents = new UUID[size];
        String[] fingerprints = new String[size];
        String[] priorities = new String[size];
        String[] labels = new String[size];
        String[] annotations = new String[size];
        String[] urls = new String[size];
        String[] sources = new String[size];
        OffsetDateTime[] starts = new OffsetDateTime[size];
        Long[] deliveries = new Long[size];
        for (int i = 0; i < size; i++) {
            NewAlert alert = created.get(i);
            incidents[i] = alert.incidentId();
            fingerprints[i] = alert.fingerprint();
            priorities[i] = alert.priority().name();
            labels[i] = json(alert.labels());
            annotations[i] = json(alert.annotations());
            urls[i] = alert.generatorUrl();
            sources[i] = alert.source();
            starts[i] = alert.startsAt().atOffset(ZoneOffset.UTC);
            deliveries[i] = alert.deliveries();
        }
        return Tuple.from(List.<Object> of(incidents, fingerprints, priorities, labels, annotations, urls, sources,
                starts, now, deliveries));
    }

    private String json(Map<String, String> map) {
        try {
            return writer.writeValueAsString(map);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a map of strings always serializes", e);
        }
    }

    private static Instant instant(Row row, String column) {
        OffsetDateTime value = row.getOffsetDateTime(column);
        return value == null ? null : value.toInstant();
    }
}
