package io.tocsin.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/** Payloads written by earlier versions must keep parsing: each golden file is a contract, never edited, only added. */
class AlertReceivedGoldenTest {

    /** Configured like the Quarkus default mapper the services use. */
    private static final ObjectMapper MAPPER = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    @Test
    void alertmanagerAlertParsesWithEveryField() throws IOException {
        AlertReceived event = read("alert-received-alertmanager.v1.json");

        assertThat(event.eventId()).isEqualTo(UUID.fromString("6a1c1f0e-9a4b-4c1e-8d1e-2f3b4c5d6e7f"));
        assertThat(event.receivedAt()).isEqualTo(Instant.parse("2026-11-22T03:00:00.123Z"));
        assertThat(event.source()).isEqualTo("alertmanager-prod");
        assertThat(event.origin()).isEqualTo(AlertOrigin.ALERTMANAGER);
        assertThat(event.fingerprint()).isEqualTo("791cec13fcba0368");
        assertThat(event.status()).isEqualTo(AlertStatus.FIRING);
        assertThat(event.labels()).containsEntry("alertname", "InstanceDown").hasSize(6);
        assertThat(event.annotations()).containsKey("runbook_url");
        assertThat(event.startsAt()).isEqualTo(Instant.parse("2020-08-08T14:32:08.326990857Z"));
        assertThat(event.endsAt()).isNull();
        assertThat(event.generatorUrl()).startsWith("http://prometheus:9090/graph");
        AlertmanagerGroup group = event.alertmanager();
        assertThat(group.version()).isEqualTo("4");
        assertThat(group.groupKey()).isEqualTo("{}/{team=\"db\"}:{alertname=\"InstanceDown\"}");
        assertThat(group.receiver()).isEqualTo("tocsin");
        assertThat(group.status()).isEqualTo(AlertStatus.FIRING);
        assertThat(group.groupLabels()).isEqualTo(Map.of("alertname", "InstanceDown"));
        assertThat(group.commonLabels()).containsEntry("severity", "critical");
        assertThat(group.commonAnnotations()).containsKey("summary");
        assertThat(group.externalUrl()).isEqualTo("http://alertmanager:9093");
        assertThat(group.truncatedAlerts()).isZero();
        assertThat(group.notificationReason()).isEqualTo("first notification");
        assertThat(group.routeLabels()).isEmpty();
        assertThat(event.partitionKey()).isEqualTo(group.groupKey());
    }

    @Test
    void genericResolvedAlertParses() throws IOException {
        AlertReceived event = read("alert-received-generic-resolved.v1.json");

        assertThat(event.origin()).isEqualTo(AlertOrigin.GENERIC);
        assertThat(event.status()).isEqualTo(AlertStatus.RESOLVED);
        assertThat(event.endsAt()).isEqualTo(Instant.parse("2026-11-22T03:04:30Z"));
        assertThat(event.alertmanager()).isNull();
        assertThat(event.annotations()).isEmpty();
        assertThat(event.partitionKey()).isEqualTo("uptime-checker/checkout-http");
    }

    @Test
    void unknownFieldsAreIgnoredAndUnknownEnumValuesBecomeUnknown() throws IOException {
        AlertReceived event = read("alert-received-from-the-future.v1.json");

        assertThat(event.origin()).isEqualTo(AlertOrigin.UNKNOWN);
        assertThat(event.status()).isEqualTo(AlertStatus.UNKNOWN);
        assertThat(event.annotations()).isEmpty();
        assertThat(event.alertmanager().groupKey()).isEqualTo("{}:{}");
        assertThat(event.alertmanager().commonLabels()).isEmpty();
    }

    @Test
    void whatWeWriteTodayReadsBackUnchanged() throws IOException {
        AlertReceived original = read("alert-received-alertmanager.v1.json");

        AlertReceived copy = MAPPER.readValue(MAPPER.writeValueAsBytes(original), AlertReceived.class);

        assertThat(copy).isEqualTo(original);
    }

    private static AlertReceived read(String name) throws IOException {
        try (InputStream in = AlertReceivedGoldenTest.class.getResourceAsStream("/golden/" + name)) {
            assertThat(in).as("golden file %s", name).isNotNull();
            return MAPPER.readValue(in, AlertReceived.class);
        }
    }
}
