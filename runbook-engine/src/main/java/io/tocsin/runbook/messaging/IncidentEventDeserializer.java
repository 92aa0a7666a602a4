package io.tocsin.runbook.messaging;

import io.quarkus.kafka.client.serialization.ObjectMapperDeserializer;
import io.tocsin.events.IncidentEvent;

/** JSON to {@link IncidentEvent}, with the application's object mapper. */
public class IncidentEventDeserializer extends ObjectMapperDeserializer<IncidentEvent> {

    public IncidentEventDeserializer() {
        super(IncidentEvent.class);
    }
}
