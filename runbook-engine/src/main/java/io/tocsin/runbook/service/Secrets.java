package io.tocsin.runbook.service;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.Config;

/**
 * The secrets templates name as {@code {{secret.NAME}}}: environment variable {@code TOCSIN_RUNBOOK_SECRET_NAME} (or
 * property {@code tocsin.runbook-secret.NAME}). Never logged, never recorded: inputs and outputs show a placeholder.
 */
@ApplicationScoped
public class Secrets {

    private final Config config;

    public Secrets(Config config) {
        this.config = config;
    }

    /** The secret's value, or null when it is not set. */
    public String value(String name) {
        return config.getOptionalValue("tocsin.runbook-secret." + name, String.class).filter(v -> !v.isEmpty())
                .orElse(null);
    }
}
