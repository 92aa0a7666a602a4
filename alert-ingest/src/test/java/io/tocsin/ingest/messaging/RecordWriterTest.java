package io.tocsin.ingest.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import io.tocsin.events.AlertOrigin;
import io.tocsin.events.AlertReceived;
import io.tocsin.events.AlertStatus;
import io.tocsin.events.AlertmanagerGroup;

/** The group fields written once per request: each record is still exactly the whole event. */
class RecordWriterTest {

    private static final ObjectMapper MAPPER = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    private static final Instant T0 = Instant.parse("2026-11-30T03:00:00.123456789Z");

    @Test
    void everyRecordOfANotificationIsTheWholeEventByteForByte() throws Exception {
        AlertmanagerGroup group = new AlertmanagerGroup("4", "{}:{alertname=\"Disk \\\"full\\\"\"}", "tocsin",
                AlertStatus.FIRING, Map.of("alertname", "Disk \"full\""), Map.of("alertname", "Disk \"full\"", "job",
                        "node"),
                Map.of("summary", "disks are filling up"), "http://am:9093", 2, "alert_group_changed",
                Map.of("team", "storage"));
        RecordWriter writer = new RecordWriter(MAPPER.writerFor(AlertReceived.class),
                MAPPER.writerFor(AlertmanagerGroup.class));
        for (int i = 0; i < 3; i++) {
            AlertReceived event = event("host-" + i, group);
            byte[] written = writer.write(event);
            assertThat(new String(written, "UTF-8")).isEqualTo(MAPPER.writeValueAsString(event));
            assertThat(MAPPER.readValue(written, AlertReceived.class)).isEqualTo(event);
        }
    }

    @Test
    void anEventOfAnotherDoorOrAnotherGroupIsWrittenWhole() throws Exception {
        RecordWriter writer = new RecordWriter(MAPPER.writerFor(AlertReceived.class),
                MAPPER.writerFor(AlertmanagerGroup.class));
        AlertReceived generic = event("host-1", null);
        assertThat(writer.write(generic)).isEqualTo(MAPPER.writeValueAsBytes(generic));
        AlertmanagerGroup first = new AlertmanagerGroup("4", "a", "r", AlertStatus.FIRING, Map.of(), Map.of(),
                Map.of(), null, 0, null, null);
        AlertmanagerGroup second = new AlertmanagerGroup("4", "b", "r", AlertStatus.RESOLVED, Map.of("x", "y"),
                Map.of(), Map.of(), null, 0, null, null);
        AlertReceived inFirst = event("host-1", first);
        AlertReceived inSecond = event("host-2", second);
        assertThat(writer.write(inFirst)).isEqualTo(MAPPER.writeValueAsBytes(inFirst));
        assertThat(writer.write(inSecond)).isEqualTo(MAPPER.writeValueAsBytes(inSecond));
    }

    private static AlertReceived event(String instance, AlertmanagerGroup group) {
        return new AlertReceived(UUID.randomUUID(), T0, "prod", group == null ? AlertOrigin.GENERIC
                : AlertOrigin.ALERTMANAGER, "f" + instance, AlertStatus.FIRING,
                Map.of("alertname", "DiskFull", "instance", instance), Map.of("description", "ünïcode ✓"), T0, null,
                "http://prom/graph?g0.expr=up%3D%3D0", group);
    }
}
