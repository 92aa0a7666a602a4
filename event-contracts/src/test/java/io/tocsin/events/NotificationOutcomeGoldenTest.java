package io.tocsin.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

class NotificationOutcomeGoldenTest {

    private static final ObjectMapper MAPPER = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    @Test
    void outcomesParseAndValuesFromANewerWriterReadAsUnknown() throws IOException {
        List<NotificationOutcome> outcomes = new ArrayList<>();
        try (InputStream in = getClass().getResourceAsStream("/golden/notification-outcome.v1.jsonl")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                outcomes.add(MAPPER.readValue(line, NotificationOutcome.class));
            }
        }

        assertThat(outcomes).extracting(NotificationOutcome::status).containsExactly(
                NotificationOutcome.Status.DELIVERED, NotificationOutcome.Status.RETRYING,
                NotificationOutcome.Status.UNKNOWN);
        assertThat(outcomes.get(0).target()).isEqualTo(
                new NotificationTarget(NotificationTarget.Channel.SLACK, "#db-oncall"));
        assertThat(outcomes.get(1).nextAttemptAt()).isEqualTo(Instant.parse("2026-11-22T03:00:06Z"));
        assertThat(outcomes.get(2).target().channel()).isEqualTo(NotificationTarget.Channel.UNKNOWN);
        assertThat(MAPPER.readValue(MAPPER.writeValueAsString(outcomes.get(1)), NotificationOutcome.class))
                .isEqualTo(outcomes.get(1));
    }
}
