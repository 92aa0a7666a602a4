package io.tocsin.runbook.domain;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

/**
 * The values templates see for one run: the incident's fields, labels and annotations, the run, and secrets. Two views:
 * {@link #values()} for the real call and {@link #redacted()} for what is recorded, where each secret is a placeholder;
 * {@link #redact(String)} removes secret values from anything that comes back.
 */
public final class Variables {

    private final Map<String, String> plain = new LinkedHashMap<>();
    private final Function<String, String> secrets;
    private final Map<String, String> used = new LinkedHashMap<>();

    public Variables(UUID incidentId, String title, String priority, String service, String state,
            Map<String, String> labels, Map<String, String> annotations, UUID runId, String runbook, Instant now,
            Function<String, String> secrets) {
        this.secrets = secrets;
        plain.put("incident.id", incidentId.toString());
        plain.put("incident.title", title);
        plain.put("incident.priority", priority);
        if (service != null) {
            plain.put("incident.service", service);
        }
        plain.put("incident.state", state);
        labels.forEach((k, v) -> plain.put("labels." + k, v));
        annotations.forEach((k, v) -> plain.put("annotations." + k, v));
        plain.put("run.id", runId.toString());
        plain.put("runbook.name", runbook);
        plain.put("now", now.toString());
    }

    /** The real values, secrets included. */
    public Function<String, String> values() {
        return name -> {
            if (name.startsWith("secret.")) {
                String value = secrets.apply(name.substring(7));
                if (value != null) {
                    used.put(name.substring(7), value);
                }
                return value;
            }
            return plain.get(name);
        };
    }

    /** The values to record: a secret shows as {@code [secret NAME]}. */
    public Function<String, String> redacted() {
        return name -> name.startsWith("secret.") ? "[secret " + name.substring(7) + "]" : plain.get(name);
    }

    /** {@code text} with every secret value used so far replaced by its placeholder. */
    public String redact(String text) {
        if (text == null) {
            return null;
        }
        String out = text;
        for (Map.Entry<String, String> secret : used.entrySet()) {
            // Also without surrounding blanks: a secret read from a file keeps its newline, an echo may not.
            for (String form : List.of(secret.getValue(), secret.getValue().strip())) {
                if (form.length() >= 4) {
                    out = out.replace(form, "[secret " + secret.getKey() + "]");
                }
            }
        }
        return out;
    }
}
