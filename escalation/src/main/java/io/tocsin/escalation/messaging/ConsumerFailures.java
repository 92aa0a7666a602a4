package io.tocsin.escalation.messaging;

import java.util.NoSuchElementException;
import java.util.function.Supplier;

import jakarta.enterprise.inject.CreationException;

import io.quarkus.runtime.configuration.ConfigurationException;
import io.smallrye.config.ConfigValidationException;
import io.smallrye.mutiny.Uni;
import io.tocsin.escalation.domain.policy.PolicyFileException;
import io.tocsin.outbox.Failures;

/**
 * How escalation's consumers apply a record: as {@link Failures#applyOrDeadLetter}, but a configuration failure is
 * never poison. It is not the record's fault, and every record after it would fail the same way: dead-lettered, the
 * alerts would be lost (ingest answered 202, nobody was paged). Held and retried, the partition waits for a fix.
 */
final class ConsumerFailures {

    private ConsumerFailures() {
    }

    /** Applies the record; {@code work} is called lazily, so a failure it throws is retried like one it emits. */
    static <T> Uni<T> apply(Supplier<Uni<? extends T>> work, String what, Runnable deadLettered) {
        return Failures.applyOrDeadLetter(Uni.createFrom().<T> deferred(work), ConsumerFailures::isPoison, what,
                deadLettered);
    }

    /**
     * Applies work that has another way when it fails deterministically: transient failures (and configuration ones)
     * are retried without limit, holding the partition; any other ends it at once, for the caller to handle.
     */
    static <T> Uni<T> retryWhileTransient(Supplier<Uni<? extends T>> work, String what) {
        return Failures.retryWhileTransient("alert", Uni.createFrom().<T> deferred(work),
                ConsumerFailures::isPoison, what);
    }

    static boolean isPoison(Throwable failure) {
        return Failures.isPoison(failure) && !isConfiguration(failure);
    }

    /** A policy file or setting that cannot be used, or a bean that could not be built from it. */
    static boolean isConfiguration(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof PolicyFileException || cause instanceof ConfigurationException
                    || cause instanceof ConfigValidationException || cause instanceof CreationException
                    || cause instanceof NoSuchElementException && String.valueOf(cause.getMessage()).contains("SRCFG")) {
                return true;
            }
        }
        return false;
    }
}
