package io.tocsin.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import io.tocsin.events.RunbookEvent.Kind;

/** Runbook events written by earlier engines keep parsing; a kind from a newer one reads as unknown. */
class RunbookEventGoldenTest {

    private static final ObjectMapper MAPPER = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    @Test
    void eventsParseAndKindsFromANewerWriterReadAsUnknown() throws IOException {
        List<RunbookEvent> events = new ArrayList<>();
        try (InputStream in = getClass().getResourceAsStream("/golden/runbook-event.v1.jsonl")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                events.add(MAPPER.readValue(line, RunbookEvent.class));
            }
        }

        assertThat(events).extracting(RunbookEvent::kind).containsExactly(Kind.RUN_STARTED, Kind.STEP_FAILED,
                Kind.APPROVAL_REQUESTED, Kind.APPROVED, Kind.UNKNOWN);
        assertThat(events).extracting(RunbookEvent::runId)
                .containsOnly(UUID.fromString("66666666-6666-4666-8666-666666666666"));
        RunbookEvent failed = events.get(1);
        assertThat(failed.step()).isEqualTo("restart");
        assertThat(failed.stepIndex()).isEqualTo(1);
        assertThat(failed.stepKind()).isEqualTo("http");
        assertThat(failed.summary()).isEqualTo("failed: HTTP 503");
        assertThat(events.get(0).stepIndex()).isNull();
        RunbookEvent approval = events.get(2);
        assertThat(approval.dryRun()).isTrue();
        assertThat(approval.approvalExpiresAt()).isEqualTo(Instant.parse("2026-11-22T03:17:00Z"));
        assertThat(events.get(3).actor()).isEqualTo("slack:U024BE7LH");
        for (RunbookEvent event : events.subList(0, 4)) {
            assertThat(MAPPER.readValue(MAPPER.writeValueAsString(event), RunbookEvent.class)).isEqualTo(event);
        }
    }

    @Test
    void theIncidentEventCopiesTheRunbookEventWithItsId() throws IOException {
        RunbookEvent approval;
        try (InputStream in = getClass().getResourceAsStream("/golden/runbook-event.v1.jsonl")) {
            approval = MAPPER.readValue(new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")[2],
                    RunbookEvent.class);
        }
        RunbookProgressed progressed = RunbookProgressed.of(approval);

        assertThat(progressed.eventId()).isEqualTo(approval.eventId());
        String json = MAPPER.writerFor(IncidentEvent.class).writeValueAsString(progressed);
        assertThat(json).startsWith("{\"type\":\"runbook.progressed\"");
        assertThat(MAPPER.readValue(json, IncidentEvent.class)).isEqualTo(progressed);
    }
}
