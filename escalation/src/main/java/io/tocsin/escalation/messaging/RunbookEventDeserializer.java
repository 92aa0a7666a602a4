package io.tocsin.escalation.messaging;

import io.quarkus.kafka.client.serialization.ObjectMapperDeserializer;
import io.tocsin.events.RunbookEvent;

/** JSON to {@link RunbookEvent}, with the application's object mapper. */
public class RunbookEventDeserializer extends ObjectMapperDeserializer<RunbookEvent> {

    public RunbookEventDeserializer() {
        super(RunbookEvent.class);
    }
}
