package io.tocsin.ingest.api;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import org.apache.kafka.clients.consumer.ConsumerRecord;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import io.tocsin.events.AlertReceived;
import io.tocsin.testsupport.TopicWatcher;

/** What the alert-ingest tests share: the test credentials, sample payloads and reading events back from Kafka. */
public final class IngestTestSupport {

    /** Configured in application.properties for the test profile. */
    public static final String AM_TOKEN = "test-token-alertmanager-0001";
    public static final String UPTIME_TOKEN = "test-token-uptime-000000002";

    public static final ObjectMapper MAPPER = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    private IngestTestSupport() {
    }

    /** A test resource as text, such as {@code alertmanager/firing.json}. */
    public static String resource(String name) {
        try (InputStream in = IngestTestSupport.class.getResourceAsStream("/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A small Alertmanager notification with one firing alert carrying {@code marker} as a label. */
    public static String alertmanagerPayload(String marker) {
        return """
                {"version":"4","groupKey":"{}:{alertname=\\"%1$s\\"}","status":"firing","receiver":"tocsin",
                 "groupLabels":{"alertname":"%1$s"},"commonLabels":{},"commonAnnotations":{},
                 "externalURL":"http://am:9093","alerts":[{"status":"firing",
                 "labels":{"alertname":"%1$s","severity":"warning"},"annotations":{"summary":"test"},
                 "startsAt":"2026-11-22T03:00:00Z","endsAt":"0001-01-01T00:00:00Z","generatorURL":"http://p:9090",
                 "fingerprint":"0123456789abcdef"}]}""".formatted(marker);
    }

    /** Waits until the watcher has seen {@code count} records whose value mentions {@code marker}, and returns them. */
    public static List<ConsumerRecord<String, String>> awaitRecords(TopicWatcher watcher, String marker, int count) {
        return await().atMost(Duration.ofSeconds(30)).until(
                () -> watcher.poll(Duration.ofMillis(100)).stream().filter(r -> r.value().contains(marker)).toList(),
                records -> records.size() >= count);
    }

    public static AlertReceived event(ConsumerRecord<String, String> record) {
        try {
            return MAPPER.readValue(record.value(), AlertReceived.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
