package io.tocsin.ingest.domain;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;

import io.tocsin.events.AlertOrigin;
import io.tocsin.events.AlertReceived;
import io.tocsin.events.AlertStatus;
import io.tocsin.events.AlertmanagerGroup;

/**
 * Turns a parsed request body into {@link AlertReceived} events, or rejects it whole with every problem named. Nothing
 * of a rejected body is published. Unknown fields are ignored, so newer senders keep working.
 */
public final class PayloadReader {

    /** The only Alertmanager webhook payload version there has been so far. */
    public static final String ALERTMANAGER_VERSION = "4";

    private static final int MAX_REPORTED_ERRORS = 20;
    private static final int MAX_TEXT_LENGTH = 4096;
    private static final String NUL = "must not contain the NUL character (\\u0000)";
    private static final Instant END_OF_YEAR_ONE = Instant.parse("0002-01-01T00:00:00Z");

    private final IngestLimits limits;
    private final Supplier<UUID> ids;

    public PayloadReader(IngestLimits limits, Supplier<UUID> ids) {
        this.limits = limits;
        this.ids = ids;
    }

    /** Reads an Alertmanager webhook notification (payload version 4). */
    public List<AlertReceived> readAlertmanager(JsonNode root, String source, Instant receivedAt) {
        Errors errors = new Errors();
        requireObject(root, "an Alertmanager webhook notification");

        String version = text(root, "version", true, errors);
        if (version != null && !version.equals(ALERTMANAGER_VERSION)) {
            errors.add("version", "unsupported payload version \"" + version + "\"; Tocsin reads version \""
                    + ALERTMANAGER_VERSION + "\"");
        }
        String groupKey = text(root, "groupKey", false, errors);
        String receiver = text(root, "receiver", false, errors);
        AlertStatus groupStatus = status(root, "status", "status", false, errors);
        Map<String, String> groupLabels = labels(root, "groupLabels", false, errors);
        Map<String, String> commonLabels = labels(root, "commonLabels", false, errors);
        Map<String, String> commonAnnotations = annotations(root, "commonAnnotations", errors);
        Map<String, String> routeLabels = labels(root, "routeLabels", false, errors);
        String externalUrl = text(root, "externalURL", false, errors);
        String reason = text(root, "notification_reason", false, errors);
        int truncated = nonNegativeInt(root, "truncatedAlerts", errors);

        List<JsonNode> alerts = alertList(root.get("alerts"), "alerts", errors);
        AlertmanagerGroup group = new AlertmanagerGroup(version, groupKey, receiver, groupStatus, groupLabels,
                commonLabels, commonAnnotations, externalUrl, truncated, reason, routeLabels);
        List<AlertReceived> events = new ArrayList<>(alerts.size());
        for (int i = 0; i < alerts.size(); i++) {
            AlertReceived event = alert(alerts.get(i), "alerts[" + i + "]", true, source, AlertOrigin.ALERTMANAGER,
                    receivedAt, group, errors);
            if (event != null) {
                events.add(event);
            }
        }
        errors.throwIfAny();
        return events;
    }

    /** Reads the generic door's body: one alert object, or an array of them. */
    public List<AlertReceived> readGeneric(JsonNode root, String source, Instant receivedAt) {
        Errors errors = new Errors();
        List<AlertReceived> events = new ArrayList<>();
        if (root != null && root.isObject()) {
            AlertReceived event = alert(root, "", false, source, AlertOrigin.GENERIC, receivedAt, null, errors);
            if (event != null) {
                events.add(event);
            }
        } else if (root != null && root.isArray()) {
            List<JsonNode> alerts = alertList(root, "body", errors);
            for (int i = 0; i < alerts.size(); i++) {
                AlertReceived event = alert(alerts.get(i), "[" + i + "]", false, source, AlertOrigin.GENERIC,
                        receivedAt, null, errors);
                if (event != null) {
                    events.add(event);
                }
            }
        } else {
            throw new InvalidPayloadException("body", "must be an alert object or an array of alert objects");
        }
        errors.throwIfAny();
        return events;
    }

    private List<JsonNode> alertList(JsonNode node, String field, Errors errors) {
        List<JsonNode> alerts = new ArrayList<>();
        if (node == null || node.isNull()) {
            errors.add(field, "is required: the list of alerts");
        } else if (!node.isArray()) {
            errors.add(field, "must be an array of alert objects, not " + describe(node));
        } else if (node.isEmpty()) {
            errors.add(field, "must contain at least one alert");
        } else if (node.size() > limits.maxAlerts()) {
            errors.add(field, "has " + node.size() + " alerts; at most " + limits.maxAlerts()
                    + " are accepted in one request (set max_alerts on the Alertmanager receiver)");
        } else {
            node.forEach(alerts::add);
        }
        return alerts;
    }

    private AlertReceived alert(JsonNode node, String path, boolean alertmanager, String source, AlertOrigin origin,
            Instant receivedAt, AlertmanagerGroup group, Errors errors) {
        if (!node.isObject()) {
            errors.add(path.isEmpty() ? "body" : path, "must be an alert object, not " + describe(node));
            return null;
        }
        int before = errors.count();
        Map<String, String> labels = labels(node, at(path, "labels"), "labels", true, errors);
        Map<String, String> annotations = annotations(node, at(path, "annotations"), "annotations", errors);
        AlertStatus status = status(node, at(path, "status"), "status", alertmanager, errors);
        Instant startsAt = time(node, at(path, "startsAt"), "startsAt", alertmanager, errors);
        Instant endsAt = time(node, at(path, "endsAt"), "endsAt", false, errors);
        checkTimes(path, startsAt, endsAt, receivedAt, errors);
        String generatorUrl = text(node, at(path, "generatorURL"), "generatorURL", false, errors);
        String fingerprint = text(node, at(path, "fingerprint"), "fingerprint", false, errors);
        if (fingerprint != null && fingerprint.length() > IngestLimits.MAX_FINGERPRINT_LENGTH) {
            errors.add(at(path, "fingerprint"), "is " + fingerprint.length() + " characters; at most "
                    + IngestLimits.MAX_FINGERPRINT_LENGTH + " are allowed");
        }
        checkLabelSetSize(at(path, "labels"), labels, errors);
        if (errors.count() > before) {
            return null;
        }
        if (status == null) {
            status = endsAt != null && !endsAt.isAfter(receivedAt) ? AlertStatus.RESOLVED : AlertStatus.FIRING;
        }
        if (startsAt == null) {
            startsAt = receivedAt;
        }
        if (fingerprint == null || fingerprint.isEmpty()) {
            fingerprint = Fingerprint.of(labels);
        }
        return new AlertReceived(ids.get(), receivedAt, source, origin, fingerprint, status, labels, annotations,
                startsAt, endsAt, generatorUrl, group);
    }

    /**
     * Times a consumer could not use: a start from before monitoring, or so far ahead that the sender's clock is wrong
     * (its incident would sort and time out wrongly), and an end before the start. A missing or zero time (null here)
     * is not checked: Alertmanager sends the zero time as endsAt while an alert fires.
     */
    private void checkTimes(String path, Instant startsAt, Instant endsAt, Instant receivedAt, Errors errors) {
        if (startsAt != null) {
            Instant latestStart = receivedAt.plus(limits.maxFutureSkew());
            if (startsAt.isBefore(IngestLimits.EARLIEST_TIME)) {
                errors.add(at(path, "startsAt"), "is " + startsAt + ", before " + IngestLimits.EARLIEST_TIME
                        + "; expected when the alert started");
            } else if (startsAt.isAfter(latestStart)) {
                errors.add(at(path, "startsAt"), "is " + startsAt + ", more than " + limits.maxFutureSkew().toSeconds()
                        + " s after it was received (" + receivedAt + "); is the sender's clock right?");
            }
        }
        if (endsAt != null) {
            if (endsAt.isBefore(IngestLimits.EARLIEST_TIME)) {
                errors.add(at(path, "endsAt"), "is " + endsAt + ", before " + IngestLimits.EARLIEST_TIME
                        + "; send the zero time 0001-01-01T00:00:00Z, or nothing, while the alert fires");
            } else if (endsAt.isAfter(IngestLimits.LATEST_TIME)) {
                errors.add(at(path, "endsAt"), "is " + endsAt + ", after " + IngestLimits.LATEST_TIME);
            } else if (startsAt != null && endsAt.isBefore(startsAt)) {
                errors.add(at(path, "endsAt"), "is " + endsAt + ", before startsAt " + startsAt);
            }
        }
    }

    /**
     * Escalation makes its group key of some of these labels and indexes it; a key PostgreSQL cannot index would
     * be refused by every attempt to store the alert.
     */
    private static void checkLabelSetSize(String path, Map<String, String> labels, Errors errors) {
        int bytes = labels.isEmpty() ? 0 : labels.size() - 1;
        for (Map.Entry<String, String> label : labels.entrySet()) {
            bytes += utf8Length(label.getKey()) + 1 + utf8Length(label.getValue());
        }
        if (bytes > IngestLimits.MAX_LABEL_SET_BYTES) {
            errors.add(path, "take " + bytes + " bytes written as name=value pairs; at most "
                    + IngestLimits.MAX_LABEL_SET_BYTES + " are accepted, since escalation makes and indexes its group key"
                    + " from them: shorten the longest values, or move text to annotations");
        }
    }

    private static int utf8Length(String text) {
        int bytes = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                bytes++;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    private static void requireObject(JsonNode root, String what) {
        if (root == null || !root.isObject()) {
            throw new InvalidPayloadException("body", "must be a JSON object: " + what);
        }
    }

    private String text(JsonNode parent, String name, boolean required, Errors errors) {
        return text(parent, name, name, required, errors);
    }

    private String text(JsonNode parent, String path, String name, boolean required, Errors errors) {
        JsonNode node = parent.get(name);
        if (node == null || node.isNull()) {
            if (required) {
                errors.add(path, "is required");
            }
            return null;
        }
        if (!node.isTextual()) {
            errors.add(path, "must be a string, not " + describe(node));
            return null;
        }
        if (node.textValue().length() > MAX_TEXT_LENGTH) {
            errors.add(path, "is " + node.textValue().length() + " characters; at most " + MAX_TEXT_LENGTH
                    + " are allowed");
            return null;
        }
        if (hasNul(node.textValue())) {
            errors.add(path, NUL);
            return null;
        }
        return node.textValue();
    }

    private static int nonNegativeInt(JsonNode parent, String name, Errors errors) {
        JsonNode node = parent.get(name);
        if (node == null || node.isNull()) {
            return 0;
        }
        if (!node.canConvertToInt() || !node.isIntegralNumber() || node.intValue() < 0) {
            errors.add(name, "must be a non-negative integer, not " + describe(node));
            return 0;
        }
        return node.intValue();
    }

    private static AlertStatus status(JsonNode parent, String path, String name, boolean required, Errors errors) {
        JsonNode node = parent.get(name);
        if (node == null || node.isNull()) {
            if (required) {
                errors.add(path, "is required: \"firing\" or \"resolved\"");
            }
            return null;
        }
        AlertStatus status = node.isTextual() ? AlertStatus.fromWire(node.textValue()) : AlertStatus.UNKNOWN;
        if (status == AlertStatus.UNKNOWN) {
            errors.add(path, "must be \"firing\" or \"resolved\", not " + describe(node));
            return null;
        }
        return status;
    }

    private static Instant time(JsonNode parent, String path, String name, boolean required, Errors errors) {
        JsonNode node = parent.get(name);
        if (node == null || node.isNull()) {
            if (required) {
                errors.add(path, "is required: an RFC 3339 timestamp such as 2026-11-22T03:04:05Z");
            }
            return null;
        }
        if (!node.isTextual()) {
            errors.add(path, "must be an RFC 3339 timestamp string, not " + describe(node));
            return null;
        }
        Instant instant;
        try {
            instant = Rfc3339.parse(node.textValue());
        } catch (DateTimeParseException e) {
            errors.add(path, "is not an RFC 3339 timestamp: \"" + abbreviate(node.textValue())
                    + "\" (expected for example 2026-11-22T03:04:05Z)");
            return null;
        }
        // Go's zero time.Time, which Alertmanager sends as endsAt while an alert fires, means "not set".
        if (instant.isBefore(END_OF_YEAR_ONE)) {
            if (required) {
                errors.add(path, "is the zero time; expected when the alert started");
            }
            return null;
        }
        return instant;
    }

    private Map<String, String> labels(JsonNode parent, String name, boolean required, Errors errors) {
        return labels(parent, name, name, required, errors);
    }

    private Map<String, String> labels(JsonNode parent, String path, String name, boolean required,
            Errors errors) {
        Map<String, String> labels = stringMap(parent.get(name), path, limits.maxLabels(),
                limits.maxLabelValueLength(), "labels", errors);
        if (required && labels != null && labels.isEmpty() && errors.lacks(path)) {
            errors.add(path, "must contain at least one label (alertname, for example)");
        }
        if (required && labels == null && errors.lacks(path)) {
            errors.add(path, "is required: an object of label names to string values");
        }
        return labels == null ? Map.of() : labels;
    }

    private Map<String, String> annotations(JsonNode parent, String name, Errors errors) {
        return annotations(parent, name, name, errors);
    }

    private Map<String, String> annotations(JsonNode parent, String path, String name, Errors errors) {
        Map<String, String> annotations = stringMap(parent.get(name), path, limits.maxAnnotations(),
                limits.maxAnnotationValueLength(), "annotations", errors);
        return annotations == null ? Map.of() : annotations;
    }

    /** An object of string values, or {@code null} when absent or wrong (wrong is also recorded in errors). */
    private Map<String, String> stringMap(JsonNode node, String path, int maxEntries, int maxValueLength, String what,
            Errors errors) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            errors.add(path, "must be an object of names to string values, not " + describe(node));
            return null;
        }
        if (node.size() > maxEntries) {
            errors.add(path, "has " + node.size() + " " + what + "; at most " + maxEntries + " are allowed");
            return null;
        }
        List<Map.Entry<String, String>> values = new ArrayList<>(node.size());
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            String name = field.getKey();
            String fieldPath = path + "." + name;
            JsonNode value = field.getValue();
            if (name.isEmpty()) {
                errors.add(path, "has an empty name");
            } else if (name.length() > limits.maxNameLength()) {
                errors.add(path + "." + abbreviate(name), "name is " + name.length() + " characters; at most "
                        + limits.maxNameLength() + " are allowed");
            } else if (!value.isTextual()) {
                errors.add(fieldPath, "must be a string, not " + describe(value));
            } else if (value.textValue().length() > maxValueLength) {
                errors.add(fieldPath, "is " + value.textValue().length() + " characters; at most " + maxValueLength
                        + " are allowed");
            } else if (hasNul(name)) {
                errors.add(path + "." + abbreviate(name.replace("\0", "\\u0000")), "name " + NUL);
            } else if (hasNul(value.textValue())) {
                errors.add(fieldPath, NUL);
            } else {
                values.add(Map.entry(name, value.textValue()));
            }
        }
        @SuppressWarnings("unchecked")
        Map.Entry<String, String>[] entries = values.toArray(new Map.Entry[0]);
        return Map.ofEntries(entries);
    }

    /**
     * No stored text can hold U+0000 (PostgreSQL refuses it in text and jsonb): refused at the door with a 400 that
     * names the field, rather than accepted and then dead-lettered by every consumer.
     */
    private static boolean hasNul(String text) {
        return text.indexOf('\0') >= 0;
    }

    private static String at(String path, String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    private static String describe(JsonNode node) {
        return switch (node.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case STRING -> "the string \"" + abbreviate(node.textValue()) + "\"";
            case NUMBER -> "the number " + node.asText();
            case BOOLEAN -> "the boolean " + node.asText();
            case NULL -> "null";
            default -> node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    private static String abbreviate(String text) {
        return text.length() <= 64 ? text : text.substring(0, 61) + "...";
    }

    /** Collects problems; reports at most {@value #MAX_REPORTED_ERRORS} of them. */
    private static final class Errors {
        private final List<FieldError> list = new ArrayList<>();
        private int count;

        void add(String field, String problem) {
            count++;
            if (list.size() < MAX_REPORTED_ERRORS) {
                list.add(new FieldError(field, problem));
            }
        }

        int count() {
            return count;
        }

        boolean lacks(String field) {
            return list.stream().noneMatch(error -> error.field().startsWith(field));
        }

        void throwIfAny() {
            if (count > 0) {
                throw new InvalidPayloadException(list);
            }
        }
    }
}
