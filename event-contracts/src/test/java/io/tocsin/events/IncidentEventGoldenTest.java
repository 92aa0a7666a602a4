package io.tocsin.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/** Incident events written by earlier versions keep parsing; unknown types and values degrade, never fail. */
class IncidentEventGoldenTest {

    private static final ObjectMapper MAPPER = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    @Test
    void everyTypeParsesAndUnknownOnesDegrade() throws IOException {
        List<IncidentEvent> events = read();

        assertThat(events).hasExactlyElementsOfTypes(IncidentOpened.class, AlertAttached.class, AlertResolved.class,
                PriorityChanged.class, IncidentResolved.class, IncidentReopened.class, UnknownIncidentEvent.class,
                PriorityChanged.class, NotificationRequested.class, IncidentEscalated.class, SlaBreached.class,
                IncidentAcknowledged.class, IncidentUnacknowledged.class, IncidentSnoozed.class, NoteAdded.class,
                NotificationWithheld.class, RunbookProgressed.class, AlertsAttached.class,
                NotificationRequested.class);
        assertThat(events).extracting(IncidentEvent::incidentId)
                .containsOnly(UUID.fromString("22222222-2222-4222-8222-222222222222"));
        IncidentOpened opened = (IncidentOpened) events.get(0);
        assertThat(opened.priority()).isEqualTo(Priority.P1);
        assertThat(opened.groupLabels()).containsEntry("service", "db");
        assertThat(((PriorityChanged) events.get(7)).to()).isEqualTo(Priority.UNKNOWN);
        NotificationRequested notify = (NotificationRequested) events.get(8);
        assertThat(notify.target()).isEqualTo(new NotificationTarget(NotificationTarget.Channel.SLACK, "#db-oncall"));
        assertThat(notify.slackDigest()).as("written before policies had digest settings").isNull();
        assertThat(((NotificationRequested) events.get(18)).slackDigest())
                .isEqualTo(new SlackDigestSettings(25, 300L));
        assertThat(((SlaBreached) events.get(10)).slaSeconds()).isEqualTo(1800);
        RunbookProgressed progressed = (RunbookProgressed) events.get(16);
        assertThat(progressed.kind()).isEqualTo(RunbookEvent.Kind.APPROVAL_REQUESTED);
        assertThat(progressed.stepIndex()).isEqualTo(2);
        assertThat(progressed.dryRun()).isTrue();
        assertThat(progressed.approvalExpiresAt()).isEqualTo(java.time.Instant.parse("2026-11-22T03:17:00Z"));
        // Its members read as the alert.attached events they stand for, each with its own id.
        List<AlertAttached> members = ((AlertsAttached) events.get(17)).attached();
        assertThat(members).extracting(AlertAttached::fingerprint).containsExactly("891cec13fcba0368",
                "991cec13fcba0368");
        assertThat(members).extracting(AlertAttached::incidentId).containsOnly(opened.incidentId());
        assertThat(members.get(1).eventId()).isEqualTo(UUID.fromString("11111111-1111-4111-8111-111111111132"));
        assertThat(members.get(1).priority()).isEqualTo(Priority.P2);
        assertThat(members.get(1).annotations()).isEmpty();
    }

    @Test
    void whatWeWriteCarriesItsTypeAndReadsBackUnchanged() throws IOException {
        List<IncidentEvent> events = read();
        for (IncidentEvent event : events.stream().filter(e -> !(e instanceof UnknownIncidentEvent))
                .filter(e -> !(e instanceof PriorityChanged changed && changed.to() == Priority.UNKNOWN)).toList()) {
            String json = MAPPER.writerFor(IncidentEvent.class).writeValueAsString(event);
            assertThat(json).contains("\"type\":\"");
            assertThat(MAPPER.readValue(json, IncidentEvent.class)).isEqualTo(event);
        }
    }

    private static List<IncidentEvent> read() throws IOException {
        List<IncidentEvent> events = new ArrayList<>();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(
                IncidentEventGoldenTest.class.getResourceAsStream("/golden/incident-events.v1.jsonl"),
                StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                events.add(MAPPER.readValue(line, IncidentEvent.class));
            }
        }
        return events;
    }
}
