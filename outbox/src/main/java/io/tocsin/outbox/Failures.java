package io.tocsin.outbox;

import java.time.Duration;

import org.hibernate.exception.ConstraintViolationException;
import org.hibernate.exception.DataException;

/** How consumers tell a record retrying cannot mend from a passing outage. */
public final class Failures {

    /** Backoff between retries of a transient failure. */
    public static final Duration FIRST_BACKOFF = Duration.ofMillis(200);
    public static final Duration MAX_BACKOFF = Duration.ofSeconds(15);

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
        }
        return false;
    }
}
