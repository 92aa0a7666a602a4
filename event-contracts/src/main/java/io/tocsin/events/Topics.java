package io.tocsin.events;

/**
 * The catalog of Kafka topics Tocsin writes and reads; {@code docs/topics.md} describes each one. A topic name carries
 * its contract version: a breaking change means a new topic, never a new shape on an old one.
 */
public final class Topics {

    /** One {@link AlertReceived} per alert accepted by alert-ingest, keyed by {@link AlertReceived#partitionKey()}. */
    public static final String ALERTS = "tocsin.alerts.v1";

    /** Every {@link IncidentEvent}, keyed by incident id, written by escalation through its outbox. */
    public static final String INCIDENTS = "tocsin.incidents.v1";

    /** Every {@link IncidentCommand}, keyed by incident id; escalation applies them. */
    public static final String COMMANDS = "tocsin.commands.v1";
    /** Every {@link NotificationOutcome}, keyed by incident id, written by the notifier; escalation records them. */
    public static final String NOTIFICATIONS = "tocsin.notifications.v1";
    /** Deliveries that failed for good: the last {@link NotificationOutcome}, for people and replay tools. */
    public static final String NOTIFICATIONS_DLQ = "tocsin.notifications.dlq.v1";

    /** Every {@link RunbookEvent}, keyed by incident id, written by the runbook engine through its outbox. */
    public static final String RUNBOOKS = "tocsin.runbooks.v1";

    /** Every {@link RunbookCommand}, keyed by incident id; the runbook engine applies them. */
    public static final String RUNBOOK_COMMANDS = "tocsin.runbook-commands.v1";

    private Topics() {
    }
}
