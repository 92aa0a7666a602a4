package io.tocsin.escalation.messaging;

import io.quarkus.kafka.client.serialization.ObjectMapperDeserializer;
import io.tocsin.events.IncidentCommand;

/** JSON to {@link IncidentCommand}, with the application's object mapper. */
public class IncidentCommandDeserializer extends ObjectMapperDeserializer<IncidentCommand> {

    public IncidentCommandDeserializer() {
        super(IncidentCommand.class);
    }
}
