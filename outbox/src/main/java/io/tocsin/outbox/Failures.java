package io.tocsin.outbox;

import java.time.Duration;
import java.util.function.Predicate;

import org.hibernate.exception.ConstraintViolationException;
import org.hibernate.exception.DataException;
import org.jboss.logging.Logger;

import io.smallrye.mutiny.Uni;
import io.vertx.sqlclient.DatabaseException;

/** How consumers tell a record retrying cannot mend from a passing outage. */
public final class Failures {

    /** Backoff between retries of a transient failure. */
    public static final Duration FIRST_BACKOFF = Duration.ofMillis(200);
    public static final Duration MAX_BACKOFF = Duration.ofSeconds(15);

    private static final Logger LOG = Logger.getLogger(Failures.class);

    private Failures() {
    }

    /**
     * A failure that will happen again however often the record is retried: it breaks a constraint, or the code
     * cannot handle it. Such a record goes to the dead-letter topic; anything else is retried.
     */
    public static boolean isPoison(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof ConstraintViolationException || cause instanceof DataException
                    || cause instanceof IllegalArgumentException || cause instanceof NullPointerException
                    || cause instanceof ClassCastException) {
                return true;
            }
            // The same from a statement run on the reactive pool, which Hibernate has not translated: a value the
            // database refuses (class 22, such as a NUL character in text) or a broken constraint (class 23).
            if (cause instanceof DatabaseException database && database.getSqlState() != null
                    && (database.getSqlState().startsWith("22") || database.getSqlState().startsWith("23"))) {
                return true;
            }
        }
        return false;
    }

    /**
     * How a consumer applies a record: {@code work}, retried with backoff for as long as it fails in a way that may
     * pass (the database away), holding the partition so nothing is skipped; a poison failure ends it after
     * {@code deadLettered} has counted it, and the connector sends the record to its dead-letter topic.
     *
     * @param what names the record in logs, such as {@code "alert 0f3c…"}
     */
    public static <T> Uni<T> applyOrDeadLetter(Uni<T> work, String what, Runnable deadLettered) {
        return applyOrDeadLetter(work, Failures::isPoison, what, deadLettered);
    }

    /** As {@link #applyOrDeadLetter(Uni, String, Runnable)}, with the consumer's own idea of poison. */
    public static <T> Uni<T> applyOrDeadLetter(Uni<T> work, Predicate<Throwable> poison, String what,
            Runnable deadLettered) {
        return work.onFailure(failure -> !poison.test(failure))
                .invoke(failure -> LOG.warnf("applying %s failed, retrying: %s", what, failure))
                .onFailure(failure -> !poison.test(failure))
                .retry().withBackOff(FIRST_BACKOFF, MAX_BACKOFF).indefinitely()
                .onFailure().invoke(deadLettered);
    }
}
