package io.tocsin.ingest.messaging;

/** Kafka could not durably take the records in time; the sender should retry (503). */
public class BrokerUnavailableException extends RuntimeException {

    public BrokerUnavailableException(String message) {
        super(message);
    }

    public BrokerUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
