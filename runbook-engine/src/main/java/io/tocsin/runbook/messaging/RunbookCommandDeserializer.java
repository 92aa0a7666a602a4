package io.tocsin.runbook.messaging;

import io.quarkus.kafka.client.serialization.ObjectMapperDeserializer;
import io.tocsin.events.RunbookCommand;

/** JSON to {@link RunbookCommand}, with the application's object mapper. */
public class RunbookCommandDeserializer extends ObjectMapperDeserializer<RunbookCommand> {

    public RunbookCommandDeserializer() {
        super(RunbookCommand.class);
    }
}
