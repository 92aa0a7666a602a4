package io.tocsin.ingest.domain;

/**
 * Bounds on what one request may carry. Generous by default: a limit that rejects a real alert loses it, since senders
 * do not retry a 4xx.
 *
 * @param maxAlerts alerts in one request
 * @param maxLabels labels on one alert
 * @param maxAnnotations annotations on one alert
 * @param maxNameLength characters in a label or annotation name
 * @param maxLabelValueLength characters in a label value
 * @param maxAnnotationValueLength characters in an annotation value
 */
public record IngestLimits(
        int maxAlerts,
        int maxLabels,
        int maxAnnotations,
        int maxNameLength,
        int maxLabelValueLength,
        int maxAnnotationValueLength) {
}
