package io.tocsin.escalation.domain;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import io.tocsin.escalation.domain.Occurrences.Meaning;
import io.tocsin.events.AlertStatus;
import io.tocsin.events.Priority;

/**
 * Plans how much of a polled batch of alert deliveries can be applied in bulk, in order, against what the database
 * holds: repeats and stale deliveries are counted, and new occurrences joining an unresolved incident without changing
 * its priority are attached. The plan ends at the first delivery that means more (it opens, reopens or resolves
 * something, changes a priority, or cannot be written), which is applied on its own before the rest is planned again:
 * so every delivery takes effect in its partition's order, as if applied one at a time (ADR 17).
 */
public final class AlertBatch {

    /** One delivery, as the planner needs it. */
    public record Delivery(String messageId, String fingerprint, AlertStatus status, Instant startsAt, String groupKey,
            Priority priority, boolean writable) {
    }

    /** The latest stored occurrence of a fingerprint. */
    public record Stored(long id, AlertStatus status, Instant startsAt) {
    }

    /**
     * The unresolved incident of a group key, with the most urgent priority among its firing alerts (null: none
     * firing).
     */
    public record Open(UUID id, Priority priority, boolean overridden, Priority firingHighest) {
    }

    /** A new occurrence to insert, counted {@code deliveries} times (its first delivery and repeats in this batch). */
    public record NewOccurrence(int index, UUID incidentId, Priority priority, int deliveries) {
    }

    /**
     * @param applied how many leading deliveries the plan covers (already processed ones included)
     * @param marks the indexes of those to mark processed (every one covered but those processed before)
     * @param counts stored occurrence id to the number of deliveries that repeat it
     * @param created new occurrences, in delivery order
     * @param incidents the incidents that gained an alert
     */
    public record Plan(int applied, List<Integer> marks, Map<Long, Integer> counts, List<NewOccurrence> created,
            Set<UUID> incidents) {

        public boolean writes() {
            return !marks.isEmpty();
        }
    }

    private AlertBatch() {
    }

    /**
     * @param deliveries the batch, in partition order
     * @param processed message ids applied before (a redelivery): covered, changing nothing
     * @param stored the latest stored occurrence per fingerprint
     * @param open the unresolved incident per group key; a group key absent has none (or one resolved within the flap
     *        window), and its new alert opens or reopens one on its own
     */
    public static Plan plan(List<Delivery> deliveries, Set<String> processed, Map<String, Stored> stored,
            Map<String, Open> open) {
        List<Integer> marks = new ArrayList<>();
        Map<Long, Integer> counts = new LinkedHashMap<>();
        List<NewOccurrence> created = new ArrayList<>();
        Map<String, Integer> createdIndex = new HashMap<>();
        Map<String, Occurrences.Known> known = new HashMap<>();
        Map<String, Priority> firing = new HashMap<>();
        Set<UUID> incidents = new HashSet<>();
        Set<String> seen = new HashSet<>();
        int i = 0;
        for (; i < deliveries.size(); i++) {
            Delivery delivery = deliveries.get(i);
            if (processed.contains(delivery.messageId())) {
                continue;
            }
            if (!delivery.writable() || delivery.startsAt() == null || !seen.add(delivery.messageId())) {
                break;
            }
            String fingerprint = delivery.fingerprint();
            Stored latest = stored.get(fingerprint);
            Occurrences.Known knownNow = known.computeIfAbsent(fingerprint,
                    f -> latest == null ? null : new Occurrences.Known(latest.status(), latest.startsAt()));
            Meaning meaning = Occurrences.classify(knownNow, delivery.status(), delivery.startsAt());
            if (meaning == Meaning.RESOLVES) {
                break;
            }
            if (meaning == Meaning.NEW_OCCURRENCE) {
                Open incident = open.get(delivery.groupKey());
                if (incident == null) {
                    break;
                }
                Priority highest = firing.getOrDefault(delivery.groupKey(), incident.firingHighest());
                Priority after = highest == null || delivery.priority().compareTo(highest) < 0 ? delivery.priority()
                        : highest;
                if (!incident.overridden() && after != incident.priority()) {
                    break;
                }
                firing.put(delivery.groupKey(), after);
                createdIndex.put(fingerprint, created.size());
                created.add(new NewOccurrence(i, incident.id(), delivery.priority(), 1));
                // As the database keeps it, to the microsecond: what the one-at-a-time path would read back.
                known.put(fingerprint, new Occurrences.Known(AlertStatus.FIRING,
                        delivery.startsAt().truncatedTo(ChronoUnit.MICROS)));
                incidents.add(incident.id());
            } else if (createdIndex.containsKey(fingerprint)) {
                int at = createdIndex.get(fingerprint);
                NewOccurrence occurrence = created.get(at);
                created.set(at, new NewOccurrence(occurrence.index(), occurrence.incidentId(), occurrence.priority(),
                        occurrence.deliveries() + 1));
            } else if (latest != null) {
                counts.merge(latest.id(), 1, Integer::sum);
            }
            marks.add(i);
        }
        return new Plan(i, marks, counts, created, incidents);
    }
}
