package io.tocsin.ingest.messaging;

import java.util.List;

/**
 * Alerts whose records Kafka will never take, however often the request is retried: the sender gets a 413 naming
 * them, not a 503 it would retry for ever.
 */
public class RecordsTooLargeException extends RuntimeException {

    private final transient List<TooLarge> records;
    private final long limit;

    public RecordsTooLargeException(List<TooLarge> records, long limit, String message) {
        super(message, null, false, false);
        this.records = List.copyOf(records);
        this.limit = limit;
    }

    /** The refused alerts, by their index in the request. */
    public List<TooLarge> records() {
        return records;
    }

    /** The largest record the producer sends ({@code max.request.size}), in bytes. */
    public long limit() {
        return limit;
    }

    /**
     * One refused alert.
     *
     * @param index its position in the request (0 first)
     * @param bytes the record's size as the producer counts it, or -1 when the broker refused it
     */
    public record TooLarge(int index, int bytes) {
    }
}
