package io.tocsin.ingest.api;

import static io.restassured.RestAssured.given;
import static io.tocsin.ingest.api.IngestTestSupport.AM_TOKEN;
import static io.tocsin.ingest.api.IngestTestSupport.UPTIME_TOKEN;
import static io.tocsin.ingest.api.IngestTestSupport.alertmanagerPayload;
import static io.tocsin.ingest.api.IngestTestSupport.awaitRecords;
import static io.tocsin.ingest.api.IngestTestSupport.event;
import static io.tocsin.ingest.api.IngestTestSupport.resource;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.time.Instant;
import java.util.List;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.tocsin.events.AlertOrigin;
import io.tocsin.events.AlertReceived;
import io.tocsin.events.AlertStatus;
import io.tocsin.events.Topics;
import io.tocsin.testsupport.InjectKafkaBroker;
import io.tocsin.testsupport.KafkaBroker;
import io.tocsin.testsupport.KafkaTestResource;
import io.tocsin.testsupport.TopicWatcher;

@QuarkusTest
@WithTestResource(KafkaTestResource.class)
class AlertmanagerWebhookTest {

    @InjectKafkaBroker
    KafkaBroker broker;

    private TopicWatcher watcher;

    @BeforeEach
    void watch() {
        watcher = TopicWatcher.fromNow(broker.bootstrapServers(), Topics.ALERTS, 3);
    }

    @AfterEach
    void close() {
        watcher.close();
    }

    @Test
    void everyFieldOfTheWebhookReachesTheTopic() {
        given().auth().oauth2(AM_TOKEN).contentType(ContentType.JSON).body(resource("alertmanager/firing.json"))
                .when().post("/api/v1/alerts/alertmanager")
                .then().statusCode(202).body("accepted", equalTo(2));

        List<ConsumerRecord<String, String>> records = awaitRecords(watcher, "codelab-monitor", 2);
        String groupKey = "{}/{severity=\"critical\"}:{alertname=\"InstanceDown\"}";
        assertThat(records).extracting(ConsumerRecord::key).containsOnly(groupKey);
        assertThat(records).extracting(ConsumerRecord::partition).as("one group, one partition: order kept")
                .containsOnly(records.get(0).partition());
        assertThat(records.get(0).value()).doesNotContain("aFieldFromTheFuture");

        AlertReceived firing = event(records.get(0));
        assertThat(firing.source()).isEqualTo("alertmanager");
        assertThat(firing.origin()).isEqualTo(AlertOrigin.ALERTMANAGER);
        assertThat(firing.fingerprint()).isEqualTo("791cec13fcba0368");
        assertThat(firing.status()).isEqualTo(AlertStatus.FIRING);
        assertThat(firing.labels()).hasSize(6).containsEntry("instance", "127.0.0.1:9090");
        assertThat(firing.annotations()).containsEntry("runbook_url", "https://runbooks.example.com/InstanceDown");
        assertThat(firing.startsAt()).isEqualTo(Instant.parse("2020-08-08T14:32:08.326990857Z"));
        assertThat(firing.endsAt()).isNull();
        assertThat(firing.generatorUrl()).isEqualTo("http://prometheus:9090/graph?g0.expr=up+%3D%3D+0&g0.tab=1");
        assertThat(firing.receivedAt()).isNotNull();
        assertThat(firing.eventId()).isNotNull();
        var group = firing.alertmanager();
        assertThat(group.version()).isEqualTo("4");
        assertThat(group.groupKey()).isEqualTo(groupKey);
        assertThat(group.receiver()).isEqualTo("tocsin");
        assertThat(group.status()).isEqualTo(AlertStatus.FIRING);
        assertThat(group.groupLabels()).containsEntry("alertname", "InstanceDown");
        assertThat(group.commonLabels()).hasSize(5);
        assertThat(group.externalUrl()).isEqualTo("http://alertmanager:9093");
        assertThat(group.truncatedAlerts()).isEqualTo(1);
        assertThat(group.notificationReason()).isEqualTo("new alerts added");
        assertThat(group.routeLabels()).containsEntry("team", "sre");

        AlertReceived resolved = event(records.get(1));
        assertThat(resolved.status()).isEqualTo(AlertStatus.RESOLVED);
        assertThat(resolved.fingerprint()).as("computed like Alertmanager").isEqualTo("8df98227bdd81384");
        assertThat(resolved.endsAt()).isEqualTo(Instant.parse("2020-08-08T14:40:08Z"));
    }

    @Test
    void genericDoorNormalizesIntoTheSameEvent() {
        given().auth().oauth2(UPTIME_TOKEN).contentType(ContentType.JSON)
                .body("""
                        [{"labels":{"alertname":"CheckoutDown","service":"generic-door-test"},
                          "annotations":{"summary":"checkout returns 500"},"generatorURL":"http://uptime/checks/1"},
                         {"labels":{"alertname":"CartSlow","service":"generic-door-test"},"status":"resolved",
                          "fingerprint":"cart-slow","startsAt":"2026-11-22T02:00:00Z","endsAt":"2026-11-22T02:30:00Z"}]""")
                .when().post("/api/v1/alerts")
                .then().statusCode(202).body("accepted", equalTo(2));

        List<AlertReceived> events = awaitRecords(watcher, "generic-door-test", 2).stream()
                .map(IngestTestSupport::event).toList();
        AlertReceived checkout = events.stream().filter(e -> e.labels().get("alertname").equals("CheckoutDown"))
                .findFirst().orElseThrow();
        assertThat(checkout.source()).isEqualTo("uptime");
        assertThat(checkout.origin()).isEqualTo(AlertOrigin.GENERIC);
        assertThat(checkout.status()).isEqualTo(AlertStatus.FIRING);
        assertThat(checkout.startsAt()).isEqualTo(checkout.receivedAt());
        assertThat(checkout.annotations()).containsEntry("summary", "checkout returns 500");
        assertThat(checkout.generatorUrl()).isEqualTo("http://uptime/checks/1");
        assertThat(checkout.fingerprint()).hasSize(16);
        AlertReceived cart = events.stream().filter(e -> e.fingerprint().equals("cart-slow")).findFirst().orElseThrow();
        assertThat(cart.status()).isEqualTo(AlertStatus.RESOLVED);
        assertThat(cart.endsAt()).isEqualTo(Instant.parse("2026-11-22T02:30:00Z"));
    }

    @Test
    void readinessReportsTheBroker() {
        given().when().get("/q/health/ready")
                .then().statusCode(200).body(containsString("\"kafka\"")).body(containsString("UP"));
    }

    @Test
    void metricsCountAcceptedAlertsBySourceAndTimeTheBrokerAcks() {
        given().auth().oauth2(AM_TOKEN).contentType(ContentType.JSON).body(alertmanagerPayload("MetricsProbe"))
                .when().post("/api/v1/alerts/alertmanager").then().statusCode(202);

        String metrics = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics)
                .containsPattern("tocsin_ingest_alerts_received_total\\{origin=\"alertmanager\",source=\"alertmanager\"\\} \\d")
                .containsPattern("tocsin_ingest_alerts_accepted_total\\{origin=\"alertmanager\",source=\"alertmanager\"\\} \\d")
                .contains("tocsin_ingest_broker_ack_duration_seconds_bucket{outcome=\"acknowledged\"")
                .contains("tocsin_ingest_request_duration_seconds_bucket{origin=\"alertmanager\",status=\"202\"");
    }
}
