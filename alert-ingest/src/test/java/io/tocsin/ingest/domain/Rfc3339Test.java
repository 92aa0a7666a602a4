package io.tocsin.ingest.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The fast path must agree with {@link DateTimeFormatter#ISO_OFFSET_DATE_TIME} on every input. */
class Rfc3339Test {

    @ParameterizedTest
    @ValueSource(strings = { "2020-08-08T14:32:08.326990857Z", "2026-11-22T03:04:05Z", "2026-11-22T03:04:05.1Z",
            "2024-02-29T23:59:59.999+14:00", "2026-01-01T00:00:00-05:30", "0001-01-01T00:00:00Z",
            "2026-11-22T03:04:05.123456+00:00", "2026-11-22t03:04:05z", "2026-11-22T03:04:05+01:00:30",
            "+12026-11-22T03:04:05Z" })
    void agreesWithTheJdkOnValidTimestamps(String text) {
        Instant expected = OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();

        assertThat(Rfc3339.parse(text)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = { "2026-11-22T03:04:05", "2026-02-30T00:00:00Z", "2026-13-01T00:00:00Z",
            "2026-11-22T24:00:00Z", "2026-11-22T03:60:05Z", "yesterday",
            "2026-11-22 03:04:05Z", "2026-11-22T03:04:05+1:00", "2026-11-22T03:04:05.1234567890Z", "" })
    void rejectsWhatTheJdkRejects(String text) {
        assertThatThrownBy(() -> OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME))
                .isInstanceOf(DateTimeParseException.class);
        assertThatThrownBy(() -> Rfc3339.parse(text)).isInstanceOf(DateTimeParseException.class);
    }
}
