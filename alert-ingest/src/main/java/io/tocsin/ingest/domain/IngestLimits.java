package io.tocsin.ingest.domain;

import java.time.Duration;
import java.time.Instant;

/**
 * Bounds on what one request may carry. Generous by default: a limit that rejects a real alert loses it, since senders
 * do not retry a 4xx. The constants are not settings: they are what the consumers can store, and an alert past them
 * would be accepted here and then refused by every consumer (holding its partition, or dead-lettered).
 *
 * @param maxAlerts alerts in one request
 * @param maxLabels labels on one alert
 * @param maxAnnotations annotations on one alert
 * @param maxNameLength characters in a label or annotation name
 * @param maxLabelValueLength characters in a label value
 * @param maxAnnotationValueLength characters in an annotation value
 * @param maxFutureSkew how far in the future, past the receive time, a {@code startsAt} may lie (the sender's clock
 *        running ahead)
 */
public record IngestLimits(
        int maxAlerts,
        int maxLabels,
        int maxAnnotations,
        int maxNameLength,
        int maxLabelValueLength,
        int maxAnnotationValueLength,
        Duration maxFutureSkew) {

    /**
     * The largest entry of a PostgreSQL btree index on 8 KiB pages ({@code index row size N exceeds btree version 4
     * maximum 2704}): a third of a page, less the page's fixed overhead and a heap pointer.
     */
    public static final int POSTGRES_BTREE_MAX_ENTRY_BYTES = 2704;

    /**
     * The longest text, in UTF-8 bytes, that escalation can always index: its widest text index entries are
     * {@code incident (group_key, resolved_at)} and {@code alert (fingerprint, starts_at)}, so 2704 less the index
     * tuple header (8), the text's length header (4) and the 8-byte-aligned timestamp (8). PostgreSQL may compress a
     * long value before indexing it, but random text does not compress, so only the uncompressed size is safe.
     */
    public static final int MAX_INDEXED_TEXT_BYTES = POSTGRES_BTREE_MAX_ENTRY_BYTES - 8 - 4 - 8;

    /**
     * The label set written the way escalation writes a group key ({@code name=value} joined by commas), in UTF-8
     * bytes. Escalation's group key is made of some of the labels, which ones depending on its configuration and
     * policy file; the whole set bounds every key it can make from them, so this is checked on the whole set.
     */
    public static final int MAX_LABEL_SET_BYTES = MAX_INDEXED_TEXT_BYTES;

    /**
     * Characters in a fingerprint (Alertmanager's are 16); indexed by escalation, far below its limit even at 4 bytes a
     * character.
     */
    public static final int MAX_FINGERPRINT_LENGTH = 128;

    /** Earliest {@code startsAt} or {@code endsAt} accepted: nothing Tocsin sees began before Prometheus existed. */
    public static final Instant EARLIEST_TIME = Instant.parse("2000-01-01T00:00:00Z");

    /** Latest {@code endsAt} accepted: far inside what PostgreSQL's timestamptz can hold (year 294276). */
    public static final Instant LATEST_TIME = Instant.parse("9999-12-31T23:59:59Z");
}
