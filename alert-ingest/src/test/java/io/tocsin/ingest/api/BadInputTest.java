package io.tocsin.ingest.api;

import static io.restassured.RestAssured.given;
import static io.tocsin.ingest.api.IngestTestSupport.AM_TOKEN;
import static io.tocsin.ingest.api.IngestTestSupport.UPTIME_TOKEN;
import static io.tocsin.ingest.api.IngestTestSupport.alertmanagerPayload;
import static io.tocsin.ingest.api.IngestTestSupport.awaitRecords;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.startsWith;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.tocsin.events.Topics;
import io.tocsin.testsupport.InjectKafkaBroker;
import io.tocsin.testsupport.KafkaBroker;
import io.tocsin.testsupport.KafkaTestResource;
import io.tocsin.testsupport.TopicWatcher;

/** Each class of bad input gets a 4xx problem that names the field and the problem; nothing of it is published. */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
class BadInputTest {

    private static final String PATH = "/api/v1/alerts/alertmanager";
    private static final String GENERIC_PATH = "/api/v1/alerts";

    @InjectKafkaBroker
    KafkaBroker broker;

    static Stream<Arguments> badAlertmanagerBodies() {
        String good = alertmanagerPayload("BadInput");
        return Stream.of(
                Arguments.of("malformed JSON", "{\"version\": \"4\", \"alerts\": [", "body",
                        "malformed JSON at line 1"),
                Arguments.of("not an object", "[1, 2]", "body", "must be a JSON object"),
                Arguments.of("unknown version", good.replace("\"version\":\"4\"", "\"version\":\"5\""), "version",
                        "unsupported payload version \"5\""),
                Arguments.of("missing version", good.replace("\"version\":\"4\",", ""), "version", "is required"),
                Arguments.of("wrong type", good.replace("\"receiver\":\"tocsin\"", "\"receiver\":42"), "receiver",
                        "must be a string, not the number 42"),
                Arguments.of("missing labels", good.replaceFirst(
                        "\"labels\":\\{\"alertname\":\"BadInput\",\"severity\":\"warning\"},", ""),
                        "alerts[0].labels", "is required"),
                Arguments.of("label value not a string", good.replace("\"severity\":\"warning\"",
                        "\"severity\":[\"warning\"]"), "alerts[0].labels.severity", "must be a string, not an array"),
                Arguments.of("invalid timestamp", good.replace("2026-11-22T03:00:00Z", "22/11/2026 03:00"),
                        "alerts[0].startsAt", "is not an RFC 3339 timestamp"),
                Arguments.of("invalid status", good.replace("\"status\":\"firing\",\n \"labels\"",
                        "\"status\":\"on fire\",\n \"labels\"").replace("[{\"status\":\"firing\"",
                                "[{\"status\":\"on fire\""),
                        "alerts[0].status", "must be \"firing\" or \"resolved\""),
                Arguments.of("too long label", good.replace("\"severity\":\"warning\"",
                        "\"severity\":\"" + "w".repeat(5000) + "\""), "alerts[0].labels.severity",
                        "is 5000 characters; at most 4096"),
                Arguments.of("no alerts", good.replaceFirst("(?s)\"alerts\":\\[.*]}$", "\"alerts\":[]}"), "alerts",
                        "must contain at least one alert"),
                Arguments.of("labels too long for escalation's group key index", good.replace("\"severity\":\"warning\"",
                        "\"severity\":\"warning\",\"a\":\"" + "a".repeat(1500) + "\",\"b\":\"" + "b".repeat(1500) + "\""),
                        "alerts[0].labels", "at most 2684 are accepted"),
                Arguments.of("startsAt in the future", good.replace("2026-11-22T03:00:00Z",
                        Instant.now().plus(Duration.ofHours(1)).toString()), "alerts[0].startsAt",
                        "more than 600 s after it was received"),
                Arguments.of("startsAt before 2000", good.replace("2026-11-22T03:00:00Z", "1999-12-31T23:00:00Z"),
                        "alerts[0].startsAt", "before 2000-01-01T00:00:00Z"),
                Arguments.of("endsAt before startsAt", good.replace("0001-01-01T00:00:00Z", "2026-11-22T02:00:00Z"),
                        "alerts[0].endsAt", "before startsAt 2026-11-22T03:00:00Z"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badAlertmanagerBodies")
    void badBodiesGet400NamingTheFieldAndTheProblem(String name, String body, String field, String problem) {
        given().auth().oauth2(AM_TOKEN).contentType(ContentType.JSON).body(body)
                .when().post(PATH)
                .then().statusCode(400)
                .contentType(Problem.MEDIA_TYPE)
                .body("status", equalTo(400))
                .body("instance", equalTo(PATH))
                .body("errors.field", hasItem(field))
                .body("errors.find { it.field == '" + field + "' }.problem", containsString(problem));
    }

    @Test
    void genericDoorRefusesWhatNoConsumerCouldStoreNamingTheField() {
        given().auth().oauth2(UPTIME_TOKEN).contentType(ContentType.JSON)
                .body("{\"labels\":{\"alertname\":\"Long\",\"text\":\"" + "é".repeat(1400) + "\"}}")
                .when().post(GENERIC_PATH)
                .then().statusCode(400)
                .body("errors[0].field", equalTo("labels"))
                .body("errors[0].problem", startsWith("take 2820 bytes written as name=value pairs"));
        given().auth().oauth2(UPTIME_TOKEN).contentType(ContentType.JSON)
                .body("[{\"labels\":{\"alertname\":\"Fine\"}},{\"labels\":{\"alertname\":\"Back\"},"
                        + "\"startsAt\":\"2026-11-22T03:00:00Z\",\"endsAt\":\"2026-11-22T02:00:00Z\"}]")
                .when().post(GENERIC_PATH)
                .then().statusCode(400)
                .body("errors.field", equalTo(List.of("[1].endsAt")));
    }

    /**
     * A record over the producer's max.request.size can never be sent: Alertmanager would retry a 503 for ever, so it
     * gets a 413 naming the alert, and none of the request is published.
     */
    @Test
    void anAlertTooLargeForOneKafkaRecordGets413NamingItAtBothDoors() {
        String big = annotations(40, 30_000);
        String webhook = alertmanagerPayload("HugeA").replace("\"alerts\":[{",
                "\"alerts\":[{\"status\":\"firing\",\"labels\":{\"alertname\":\"HugeB\"},"
                        + "\"startsAt\":\"2026-11-22T03:00:00Z\"},{\"status\":\"firing\",\"labels\":{\"alertname\":\"HugeC\"},"
                        + "\"annotations\":" + big + ",\"startsAt\":\"2026-11-22T03:00:00Z\"},{");
        String generic = "[{\"labels\":{\"alertname\":\"HugeD\"}},{\"labels\":{\"alertname\":\"HugeE\"},\"annotations\":"
                + big + "}]";

        try (TopicWatcher watcher = TopicWatcher.fromNow(broker.bootstrapServers(), Topics.ALERTS, 3)) {
            given().auth().oauth2(AM_TOKEN).contentType(ContentType.JSON).body(webhook)
                    .when().post(PATH)
                    .then().statusCode(413).contentType(Problem.MEDIA_TYPE)
                    .body("type", equalTo("urn:tocsin:problem:record-too-large"))
                    .body("errors.field", equalTo(List.of("alerts[1]")))
                    .body("errors[0].problem", containsString("at most 1048576 are sent (max.request.size)"));
            given().auth().oauth2(UPTIME_TOKEN).contentType(ContentType.JSON).body(generic)
                    .when().post(GENERIC_PATH)
                    .then().statusCode(413)
                    .body("errors.field", equalTo(List.of("[1]")));
            given().auth().oauth2(UPTIME_TOKEN).contentType(ContentType.JSON)
                    .body("{\"labels\":{\"alertname\":\"HugeF\"},\"annotations\":" + big + "}")
                    .when().post(GENERIC_PATH)
                    .then().statusCode(413)
                    .body("errors.field", equalTo(List.of("body")));
            given().auth().oauth2(AM_TOKEN).contentType(ContentType.JSON).body(alertmanagerPayload("HugeAfter"))
                    .when().post(PATH).then().statusCode(202);

            awaitRecords(watcher, "HugeAfter", 1);
            assertThat(watcher.seen()).noneMatch(record -> record.value().contains("Huge")
                    && !record.value().contains("HugeAfter"));
        }
    }

    private static String annotations(int count, int length) {
        StringBuilder json = new StringBuilder("{");
        for (int i = 0; i < count; i++) {
            json.append(i == 0 ? "" : ",").append("\"a").append(i).append("\":\"").append("x".repeat(length)).append('"');
        }
        return json.append('}').toString();
    }

    @Test
    void tooManyLabelsAreRefused() {
        StringBuilder labels = new StringBuilder("\"alertname\":\"Many\"");
        for (int i = 0; i < 200; i++) {
            labels.append(",\"l").append(i).append("\":\"v\"");
        }
        String body = alertmanagerPayload("Many").replaceFirst("\"labels\":\\{[^}]*}", "\"labels\":{" + labels + "}");

        given().auth().oauth2(AM_TOKEN).contentType(ContentType.JSON).body(body)
                .when().post(PATH)
                .then().statusCode(400)
                .body("errors[0].field", equalTo("alerts[0].labels"))
                .body("errors[0].problem", equalTo("has 201 labels; at most 128 are allowed"));
    }

    @Test
    void wrongContentTypeGets415() {
        given().auth().oauth2(AM_TOKEN).contentType(ContentType.TEXT).body(alertmanagerPayload("Text"))
                .when().post(PATH)
                .then().statusCode(415).contentType(Problem.MEDIA_TYPE)
                .body("errors[0].field", equalTo("Content-Type"))
                .body("detail", startsWith("Content-Type text/plain"));
    }

    @Test
    void oversizedBodiesGet413() {
        String huge = "{\"version\":\"4\",\"padding\":\"" + "x".repeat(6 * 1024 * 1024) + "\"}";

        given().auth().oauth2(AM_TOKEN).contentType(ContentType.JSON).body(huge)
                .when().post(PATH)
                .then().statusCode(413).contentType(Problem.MEDIA_TYPE)
                .body("errors[0].field", equalTo("body"))
                .body("detail", containsString("at most 5242880"));
    }

    @Test
    void aRejectedRequestPublishesNothingEvenWhenSomeOfItsAlertsWereValid() {
        String rejected = alertmanagerPayload("PartialA").replace("\"alerts\":[{",
                "\"alerts\":[{\"status\":\"firing\",\"labels\":{\"alertname\":\"PartialB\"},"
                        + "\"startsAt\":\"2026-11-22T03:00:00Z\"},{\"labels\":{\"alertname\":\"PartialC\"}},{");

        try (TopicWatcher watcher = TopicWatcher.fromNow(broker.bootstrapServers(), Topics.ALERTS, 3)) {
            given().auth().oauth2(AM_TOKEN).contentType(ContentType.JSON).body(rejected)
                    .when().post(PATH)
                    .then().statusCode(400)
                    .body("errors.field", hasItem("alerts[1].status"))
                    .body("errors.field", hasItem("alerts[1].startsAt"));
            given().auth().oauth2(AM_TOKEN).contentType(ContentType.JSON).body(alertmanagerPayload("PartialAfter"))
                    .when().post(PATH).then().statusCode(202);

            awaitRecords(watcher, "PartialAfter", 1);
            assertThat(watcher.seen()).noneMatch(record -> record.value().contains("Partial")
                    && !record.value().contains("PartialAfter"));
        }
        String metrics = given().get("/q/metrics").then().extract().asString();
        assertThat(metrics).containsPattern(
                "tocsin_ingest_requests_rejected_total\\{reason=\"invalid_payload\",source=\"alertmanager\"\\} \\d");
    }
}
