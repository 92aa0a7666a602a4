package io.tocsin.notifier.domain;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/** Reads an HTTP {@code Retry-After} header: delay-seconds or an HTTP date. */
public final class RetryAfter {

    private RetryAfter() {
    }

    /** The wait it asks for, or {@code fallback} when the header is absent or unreadable; never negative. */
    public static Duration parse(String header, Instant now, Duration fallback) {
        if (header == null || header.isBlank()) {
            return fallback;
        }
        String value = header.trim();
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(value)));
        } catch (NumberFormatException notSeconds) {
            try {
                Duration wait = Duration.between(now,
                        ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
                return wait.isNegative() ? Duration.ZERO : wait;
            } catch (DateTimeParseException notADate) {
                return fallback;
            }
        }
    }
}
