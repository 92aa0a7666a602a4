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

import io.tocsin.events.RunbookCommand.Action;

class RunbookCommandGoldenTest {

    private static final ObjectMapper MAPPER = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    @Test
    void commandsParseAndUnknownActionsReadAsUnknown() throws IOException {
        List<RunbookCommand> commands = new ArrayList<>();
        try (InputStream in = getClass().getResourceAsStream("/golden/runbook-command.v1.jsonl")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                commands.add(MAPPER.readValue(line, RunbookCommand.class));
            }
        }

        assertThat(commands).extracting(RunbookCommand::action).containsExactly(Action.APPROVE, Action.DENY,
                Action.CANCEL, Action.UNKNOWN);
        assertThat(commands.get(0).stepIndex()).isEqualTo(2);
        assertThat(commands.get(0).actor()).isEqualTo("slack:U024BE7LH");
        assertThat(commands.get(0).reason()).isEqualTo("from Slack");
        assertThat(commands.get(1).reason()).isNull();
        assertThat(commands.get(2).stepIndex()).isNull();
        assertThat(MAPPER.readValue(MAPPER.writeValueAsString(commands.get(0)), RunbookCommand.class))
                .isEqualTo(commands.get(0));
        assertThat(MAPPER.writeValueAsString(commands.get(2))).doesNotContain("stepIndex");
    }
}
