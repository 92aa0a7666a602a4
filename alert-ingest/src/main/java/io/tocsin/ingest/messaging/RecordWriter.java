package io.tocsin.ingest.messaging;

import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectWriter;

import io.tocsin.events.AlertReceived;
import io.tocsin.events.AlertmanagerGroup;

/**
 * Writes the record values of one request. Every alert of an Alertmanager notification carries the same group fields
 * (group key, group and common labels, common annotations, ...); they are written once per request and copied into
 * each record, which is then byte for byte what writing the whole event gives ({@code alertmanager} is the event's
 * last field). Not thread-safe: one per request.
 */
final class RecordWriter {

    private static final byte[] GROUP_FIELD = ",\"alertmanager\":".getBytes(StandardCharsets.UTF_8);

    private final ObjectWriter events;
    private final ObjectWriter groups;
    private AlertmanagerGroup group;
    private byte[] groupJson;

    RecordWriter(ObjectWriter events, ObjectWriter groups) {
        this.events = events;
        this.groups = groups;
    }

    byte[] write(AlertReceived event) {
        try {
            AlertmanagerGroup shared = event.alertmanager();
            if (shared == null) {
                return events.writeValueAsBytes(event);
            }
            if (shared != group) {
                group = shared;
                groupJson = groups.writeValueAsBytes(shared);
            }
            byte[] own = events.writeValueAsBytes(new AlertReceived(event.eventId(), event.receivedAt(),
                    event.source(), event.origin(), event.fingerprint(), event.status(), event.labels(),
                    event.annotations(), event.startsAt(), event.endsAt(), event.generatorUrl(), null));
            // own is a JSON object: everything up to its closing brace, the group field, then the brace.
            byte[] value = new byte[own.length - 1 + GROUP_FIELD.length + groupJson.length + 1];
            System.arraycopy(own, 0, value, 0, own.length - 1);
            System.arraycopy(GROUP_FIELD, 0, value, own.length - 1, GROUP_FIELD.length);
            System.arraycopy(groupJson, 0, value, own.length - 1 + GROUP_FIELD.length, groupJson.length);
            value[value.length - 1] = '}';
            return value;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an AlertReceived always serializes", e);
        }
    }
}
