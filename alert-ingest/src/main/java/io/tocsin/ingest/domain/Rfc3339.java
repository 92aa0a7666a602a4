package io.tocsin.ingest.domain;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * Parses RFC 3339 timestamps. The form every sender uses ({@code 2026-11-22T03:04:05.123456789Z} or with a
 * {@code +02:00} offset) is read directly: {@link DateTimeFormatter} took more CPU than the rest of ingest together.
 * Anything else goes to {@link DateTimeFormatter#ISO_OFFSET_DATE_TIME}, so both accept the same inputs.
 */
public final class Rfc3339 {

    private Rfc3339() {
    }

    /**
     * @throws DateTimeParseException when the text is not an RFC 3339 date-time with an offset
     */
    public static Instant parse(String text) {
        Instant fast = parseCommonForm(text);
        return fast != null ? fast
                : OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
    }

    /** The instant, or {@code null} when the text is not in the common form (the caller then uses the slow path). */
    private static Instant parseCommonForm(String s) {
        int n = s.length();
        if (n < 20 || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(10) != 'T' || s.charAt(13) != ':'
                || s.charAt(16) != ':') {
            return null;
        }
        int year = digits(s, 0, 4);
        int month = digits(s, 5, 2);
        int day = digits(s, 8, 2);
        int hour = digits(s, 11, 2);
        int minute = digits(s, 14, 2);
        int second = digits(s, 17, 2);
        if (year < 0 || month < 0 || day < 0 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0
                || second > 59) {
            return null;
        }
        int i = 19;
        int nanos = 0;
        if (s.charAt(i) == '.') {
            int count = 0;
            i++;
            while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                if (count < 9) {
                    nanos = nanos * 10 + (s.charAt(i) - '0');
                }
                count++;
                i++;
            }
            if (count == 0 || count > 9) {
                return null;
            }
            for (; count < 9; count++) {
                nanos *= 10;
            }
        }
        int offsetSeconds;
        if (i == n - 1 && s.charAt(i) == 'Z') {
            offsetSeconds = 0;
        } else if (i == n - 6 && (s.charAt(i) == '+' || s.charAt(i) == '-') && s.charAt(i + 3) == ':') {
            int offsetHours = digits(s, i + 1, 2);
            int offsetMinutes = digits(s, i + 4, 2);
            if (offsetHours < 0 || offsetHours > 18 || offsetMinutes < 0 || offsetMinutes > 59) {
                return null;
            }
            offsetSeconds = (offsetHours * 3600 + offsetMinutes * 60) * (s.charAt(i) == '-' ? -1 : 1);
        } else {
            return null;
        }
        long epochDay;
        try {
            epochDay = LocalDate.of(year, month, day).toEpochDay();
        } catch (DateTimeException e) {
            return null;
        }
        return Instant.ofEpochSecond(epochDay * 86_400 + hour * 3_600L + minute * 60L + second - offsetSeconds, nanos);
    }

    /** The decimal number in {@code s[from, from + count)}, or -1 when any of it is not a digit. */
    private static int digits(String s, int from, int count) {
        int value = 0;
        for (int i = from; i < from + count; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }
}
