package io.tocsin.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

class IncidentCommandGoldenTest {

    private static final ObjectMapper MAPPER = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    @Test
    void commandsParseAndUnknownActionsReadAsUnknown() throws IOException {
        List<IncidentCommand> commands = new ArrayList<>();
        try (InputStream in = IncidentCommandGoldenTest.class.getResourceAsStream("/golden/incident-command.v1.jsonl")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                commands.add(MAPPER.readValue(line, IncidentCommand.class));
            }
        }

        assertThat(commands).extracting(IncidentCommand::action).containsExactly(IncidentCommand.Action.ACKNOWLEDGE,
                IncidentCommand.Action.RESOLVE, IncidentCommand.Action.UNKNOWN, IncidentCommand.Action.SNOOZE,
                IncidentCommand.Action.CHANGE_PRIORITY);
        assertThat(commands.get(3).until()).isEqualTo(java.time.Instant.parse("2026-11-22T04:41:00Z"));
        assertThat(commands.get(4).priority()).isEqualTo(Priority.P0);
        assertThat(commands.get(0).actor()).isEqualTo("slack:U024BE7LH");
        assertThat(commands.get(1).reason()).isEqualTo("disk cleaned");
        assertThat(MAPPER.readValue(MAPPER.writeValueAsString(commands.get(1)), IncidentCommand.class))
                .isEqualTo(commands.get(1));
    }
}
