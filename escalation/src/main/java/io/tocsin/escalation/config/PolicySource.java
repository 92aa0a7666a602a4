package io.tocsin.escalation.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;

import io.quarkus.runtime.configuration.ConfigurationException;
import io.tocsin.escalation.domain.policy.PolicyFileParser;
import io.tocsin.escalation.domain.policy.PolicySet;

/**
 * The escalation policy file's text: {@code TOCSIN_ESCALATION_POLICY_FILE}, or the built-in default policy.
 *
 * @param file the name problems are reported with
 * @param description how logs name it
 */
record PolicySource(String text, String file, String description) {

    static final String SETTING = "TOCSIN_ESCALATION_POLICY_FILE";

    /** @throws ConfigurationException naming {@value #SETTING} when the file it names cannot be read */
    static PolicySource of(EscalationConfig config) {
        if (config.policyFile().isPresent()) {
            Path file = Path.of(config.policyFile().get());
            try {
                return new PolicySource(Files.readString(file), file.toString(), file.toString());
            } catch (IOException | UncheckedIOException | SecurityException e) {
                throw new ConfigurationException(SETTING + ": names " + file + ", which cannot be read ("
                        + e.getClass().getSimpleName() + ")");
            }
        }
        try (InputStream in = PolicySource.class.getResourceAsStream("/default-policy.yaml")) {
            return new PolicySource(new String(in.readAllBytes(), StandardCharsets.UTF_8), "default-policy.yaml",
                    "the built-in default");
        } catch (IOException e) {
            throw new UncheckedIOException("the built-in policy is part of the application", e);
        }
    }

    /** @throws io.tocsin.escalation.domain.policy.PolicyFileException listing every problem */
    PolicySet parse(Function<String, String> environment) {
        return PolicyFileParser.parse(text, file, environment);
    }
}
