package io.tocsin.ingest.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.tocsin.events.AlertOrigin;
import io.tocsin.events.AlertReceived;
import io.tocsin.events.AlertStatus;

class PayloadReaderTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Instant NOW = Instant.parse("2026-11-22T03:00:00Z");
    private static final IngestLimits LIMITS = new IngestLimits(10, 6, 5, 20, 30, 100,
            Duration.ofMinutes(10));

    private final PayloadReader reader = new PayloadReader(LIMITS, UUID::randomUUID);

    @Test
    void readsEveryAlertmanagerField() throws IOException {
        List<AlertReceived> events = reader.readAlertmanager(sample(), "am", NOW);

        assertThat(events).hasSize(2);
        AlertReceived firing = events.get(0);
        assertThat(firing.source()).isEqualTo("am");
        assertThat(firing.origin()).isEqualTo(AlertOrigin.ALERTMANAGER);
        assertThat(firing.receivedAt()).isEqualTo(NOW);
        assertThat(firing.fingerprint()).isEqualTo("791cec13fcba0368");
        assertThat(firing.status()).isEqualTo(AlertStatus.FIRING);
        assertThat(firing.labels()).containsEntry("instance", "127.0.0.1:9090").hasSize(6);
        assertThat(firing.annotations()).containsEntry("runbook_url", "https://runbooks.example.com/InstanceDown");
        assertThat(firing.startsAt()).isEqualTo(Instant.parse("2020-08-08T14:32:08.326990857Z"));
        assertThat(firing.endsAt()).as("Go's zero time means no end").isNull();
        assertThat(firing.generatorUrl()).isEqualTo("http://prometheus:9090/graph?g0.expr=up+%3D%3D+0&g0.tab=1");
        var group = firing.alertmanager();
        assertThat(group.version()).isEqualTo("4");
        assertThat(group.groupKey()).isEqualTo("{}/{severity=\"critical\"}:{alertname=\"InstanceDown\"}");
        assertThat(group.receiver()).isEqualTo("tocsin");
        assertThat(group.status()).isEqualTo(AlertStatus.FIRING);
        assertThat(group.groupLabels()).containsEntry("alertname", "InstanceDown");
        assertThat(group.commonLabels()).hasSize(5);
        assertThat(group.commonAnnotations()).isEmpty();
        assertThat(group.externalUrl()).isEqualTo("http://alertmanager:9093");
        assertThat(group.truncatedAlerts()).isEqualTo(1);
        assertThat(group.notificationReason()).isEqualTo("new alerts added");
        assertThat(group.routeLabels()).containsEntry("team", "sre");

        AlertReceived resolved = events.get(1);
        assertThat(resolved.status()).isEqualTo(AlertStatus.RESOLVED);
        assertThat(resolved.fingerprint()).as("computed when missing").isEqualTo("8df98227bdd81384");
        assertThat(resolved.startsAt()).isEqualTo(Instant.parse("2020-08-08T12:30:08.326990857Z"));
        assertThat(resolved.endsAt()).isEqualTo(Instant.parse("2020-08-08T14:40:08Z"));
        assertThat(resolved.eventId()).isNotEqualTo(firing.eventId());
    }

    @Test
    void olderAlertmanagersWithoutReasonOrRouteLabelsAreAccepted() throws IOException {
        ObjectNode payload = sample();
        payload.remove("notification_reason");
        payload.remove("routeLabels");
        payload.remove("truncatedAlerts");

        AlertReceived event = reader.readAlertmanager(payload, "am", NOW).get(0);

        assertThat(event.alertmanager().notificationReason()).isNull();
        assertThat(event.alertmanager().routeLabels()).isEmpty();
        assertThat(event.alertmanager().truncatedAlerts()).isZero();
    }

    @Test
    void unknownVersionIsRefusedByName() throws IOException {
        ObjectNode payload = sample();
        payload.put("version", "5");

        assertThat(errors(() -> reader.readAlertmanager(payload, "am", NOW)))
                .containsExactly(new FieldError("version", "unsupported payload version \"5\"; Tocsin reads version \"4\""));
    }

    @Test
    void everyProblemIsNamedWithItsPath() throws IOException {
        ObjectNode payload = sample();
        payload.remove("version");
        payload.put("truncatedAlerts", "three");
        ObjectNode first = (ObjectNode) payload.get("alerts").get(0);
        first.put("startsAt", "yesterday");
        first.put("status", "burning");
        ((ObjectNode) first.get("labels")).put("severity", 3);
        ObjectNode second = (ObjectNode) payload.get("alerts").get(1);
        second.remove("labels");
        second.remove("startsAt");

        assertThat(errors(() -> reader.readAlertmanager(payload, "am", NOW))).extracting(FieldError::field)
                .containsExactlyInAnyOrder("version", "truncatedAlerts", "alerts[0].labels.severity",
                        "alerts[0].status", "alerts[0].startsAt", "alerts[1].labels", "alerts[1].startsAt");
    }

    @Test
    void limitsAreEnforcedAndExplained() throws IOException {
        ObjectNode payload = sample();
        ObjectNode labels = (ObjectNode) payload.get("alerts").get(0).get("labels");
        labels.put("description", "x".repeat(31));
        ObjectNode annotations = (ObjectNode) payload.get("alerts").get(1).get("annotations");
        annotations.put("n".repeat(21), "v");

        List<FieldError> errors = errors(() -> reader.readAlertmanager(payload, "am", NOW));

        assertThat(errors).extracting(FieldError::toString).containsExactlyInAnyOrder(
                "alerts[0].labels: has 7 labels; at most 6 are allowed",
                "alerts[1].annotations.nnnnnnnnnnnnnnnnnnnnn: name is 21 characters; at most 20 are allowed");
    }

    @Test
    void aNulCharacterIsRefusedByName() throws IOException {
        // PostgreSQL cannot store U+0000 in text or jsonb: accepted, the alert would be dead-lettered downstream.
        ObjectNode payload = sample();
        ObjectNode first = (ObjectNode) payload.get("alerts").get(0);
        ((ObjectNode) first.get("labels")).put("instance", "db1\u0000");
        first.put("fingerprint", "ab\u0000cd");
        ((ObjectNode) payload.get("alerts").get(1).get("annotations")).put("sum\u0000mary", "x");

        assertThat(errors(() -> reader.readAlertmanager(payload, "am", NOW))).extracting(FieldError::toString)
                .containsExactlyInAnyOrder(
                        "alerts[0].labels.instance: must not contain the NUL character (\\u0000)",
                        "alerts[0].fingerprint: must not contain the NUL character (\\u0000)",
                        "alerts[1].annotations.sum\\u0000mary: name must not contain the NUL character (\\u0000)");
    }

    @Test
    void tooManyAlertsAreRefused() throws IOException {
        ObjectNode payload = sample();
        ArrayNode alerts = (ArrayNode) payload.get("alerts");
        while (alerts.size() < 11) {
            alerts.add(alerts.get(0).deepCopy());
        }

        assertThat(errors(() -> reader.readAlertmanager(payload, "am", NOW))).singleElement()
                .satisfies(error -> assertThat(error.toString()).startsWith("alerts: has 11 alerts; at most 10"));
    }

    @Test
    void nonObjectBodiesAndEmptyAlertListsAreRefused() throws IOException {
        assertThat(errors(() -> reader.readAlertmanager(json("[]"), "am", NOW)))
                .extracting(FieldError::field).containsExactly("body");
        ObjectNode payload = sample();
        payload.putArray("alerts");
        assertThat(errors(() -> reader.readAlertmanager(payload, "am", NOW)))
                .containsExactly(new FieldError("alerts", "must contain at least one alert"));
    }

    @Test
    void genericDoorTakesOneAlertWithDefaults() throws IOException {
        JsonNode body = MAPPER.readTree("{\"labels\":{\"alertname\":\"DiskFull\",\"host\":\"db1\"}}");

        AlertReceived event = reader.readGeneric(body, "uptime", NOW).get(0);

        assertThat(event.origin()).isEqualTo(AlertOrigin.GENERIC);
        assertThat(event.status()).isEqualTo(AlertStatus.FIRING);
        assertThat(event.startsAt()).isEqualTo(NOW);
        assertThat(event.fingerprint()).isEqualTo(Fingerprint.of(event.labels()));
        assertThat(event.alertmanager()).isNull();
        assertThat(event.partitionKey()).isEqualTo("uptime/" + event.fingerprint());
    }

    @Test
    void genericDoorTakesAListAndInfersResolvedFromAPastEnd() throws IOException {
        JsonNode body = MAPPER.readTree("""
                [{"labels":{"alertname":"A"},"fingerprint":"my-id","endsAt":"2026-11-22T02:59:00Z"},
                 {"labels":{"alertname":"B"},"status":"firing","endsAt":"2026-11-22T02:59:00Z"}]""");

        List<AlertReceived> events = reader.readGeneric(body, "uptime", NOW);

        assertThat(events).extracting(AlertReceived::status).containsExactly(AlertStatus.RESOLVED, AlertStatus.FIRING);
        assertThat(events.get(0).fingerprint()).isEqualTo("my-id");
    }

    @Test
    void genericDoorNamesFieldsWithoutAPrefixForOneAlertAndWithAnIndexForAList() throws IOException {
        assertThat(errors(() -> reader.readGeneric(json("{\"labels\":{}}"), "u", NOW)))
                .extracting(FieldError::field).containsExactly("labels");
        assertThat(errors(() -> reader.readGeneric(json("[{\"labels\":{\"a\":\"b\"}}, 7]"), "u", NOW)))
                .containsExactly(new FieldError("[1]", "must be an alert object, not the number 7"));
        assertThat(errors(() -> reader.readGeneric(json("\"alert\""), "u", NOW)))
                .extracting(FieldError::field).containsExactly("body");
    }

    @Test
    void startsAtFromBeforeMonitoringOrBeyondTheClockSkewIsRefused() {
        String tooLate = NOW.plus(Duration.ofMinutes(10)).plusSeconds(1).toString();
        String justInSkew = NOW.plus(Duration.ofMinutes(10)).toString();

        assertThat(errors(() -> reader.readGeneric(json(alertStarting(tooLate)), "u", NOW)))
                .singleElement().satisfies(error -> {
                    assertThat(error.field()).isEqualTo("startsAt");
                    assertThat(error.problem()).contains("more than 600 s after it was received");
                });
        assertThat(errors(() -> reader.readGeneric(json(alertStarting("1999-12-31T23:59:59Z")), "u", NOW)))
                .extracting(FieldError::field).containsExactly("startsAt");
        assertThat(reader.readGeneric(json(alertStarting(justInSkew)), "u", NOW).get(0).startsAt())
                .isEqualTo(Instant.parse(justInSkew));
    }

    @Test
    void anEndBeforeTheStartIsRefusedButAlertmanagersZeroEndIsNot() throws IOException {
        ObjectNode body = sample();
        ((ObjectNode) body.get("alerts").get(1)).put("endsAt", "2020-08-08T12:30:08Z");

        assertThat(errors(() -> reader.readAlertmanager(body, "am", NOW))).singleElement().satisfies(error -> {
            assertThat(error.field()).isEqualTo("alerts[1].endsAt");
            assertThat(error.problem()).contains("before startsAt 2020-08-08T12:30:08.326990857Z");
        });
        assertThat(sample().get("alerts").get(0).get("endsAt").textValue()).isEqualTo("0001-01-01T00:00:00Z");
        assertThat(reader.readAlertmanager(sample(), "am", NOW).get(0).endsAt()).isNull();
        assertThat(errors(() -> reader.readGeneric(json("{\"labels\":{\"a\":\"b\"},\"endsAt\":\"1970-01-01T00:00:00Z\"}"),
                "u", NOW))).extracting(FieldError::field).containsExactly("endsAt");
    }

    @Test
    void labelsThatEscalationCouldNotIndexAsAGroupKeyAreRefused() {
        PayloadReader generous = new PayloadReader(new IngestLimits(10, 128, 128, 256, 4096, 32768,
                Duration.ofMinutes(10)), UUID::randomUUID);
        // "alertname=A" (11 bytes), a comma, "v=" and the value: the value fills the set to exactly the limit.
        int room = IngestLimits.MAX_LABEL_SET_BYTES - "alertname=A,v=".length();
        String fits = "x".repeat(room - 2) + "é";
        String overByOne = "x".repeat(room - 1) + "é";

        assertThat(generous.readGeneric(json(alertWithValue(fits)), "u", NOW)).hasSize(1);
        assertThat(errors(() -> generous.readGeneric(json(alertWithValue(overByOne)), "u", NOW)))
                .singleElement().satisfies(error -> {
                    assertThat(error.field()).isEqualTo("labels");
                    assertThat(error.problem()).startsWith("take " + (IngestLimits.MAX_LABEL_SET_BYTES + 1) + " bytes")
                            .contains("at most 2684");
                });
    }

    private static String alertStarting(String startsAt) {
        return "{\"labels\":{\"alertname\":\"A\"},\"startsAt\":\"" + startsAt + "\"}";
    }

    private static String alertWithValue(String value) {
        return "{\"labels\":{\"alertname\":\"A\",\"v\":\"" + value + "\"}}";
    }

    private static JsonNode json(String text) {
        try {
            return MAPPER.readTree(text);
        } catch (IOException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static List<FieldError> errors(Runnable read) {
        List<FieldError> errors = new java.util.ArrayList<>();
        assertThatThrownBy(read::run).isInstanceOfSatisfying(InvalidPayloadException.class,
                e -> errors.addAll(e.errors()));
        return errors;
    }

    static ObjectNode sample() throws IOException {
        try (InputStream in = PayloadReaderTest.class.getResourceAsStream("/alertmanager/firing.json")) {
            return (ObjectNode) MAPPER.readTree(in);
        }
    }
}
