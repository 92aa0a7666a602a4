package io.tocsin.escalation.messaging;

import io.quarkus.kafka.client.serialization.ObjectMapperDeserializer;
import io.tocsin.events.NotificationOutcome;

/** JSON to {@link NotificationOutcome}, with the application's object mapper. */
public class NotificationOutcomeDeserializer extends ObjectMapperDeserializer<NotificationOutcome> {

    public NotificationOutcomeDeserializer() {
        super(NotificationOutcome.class);
    }
}
