package io.tocsin.escalation.messaging;

import io.quarkus.kafka.client.serialization.ObjectMapperDeserializer;
import io.tocsin.events.AlertReceived;

/** JSON to {@link AlertReceived}, with the application's object mapper. */
public class AlertReceivedDeserializer extends ObjectMapperDeserializer<AlertReceived> {

    public AlertReceivedDeserializer() {
        super(AlertReceived.class);
    }
}
