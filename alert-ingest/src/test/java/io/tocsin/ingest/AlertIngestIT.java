package io.tocsin.ingest;

import static io.restassured.RestAssured.given;
import static io.tocsin.ingest.api.IngestTestSupport.AM_TOKEN;
import static io.tocsin.ingest.api.IngestTestSupport.awaitRecords;
import static io.tocsin.ingest.api.IngestTestSupport.event;
import static io.tocsin.ingest.api.IngestTestSupport.resource;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.restassured.http.ContentType;
import io.tocsin.events.AlertReceived;
import io.tocsin.events.AlertStatus;
import io.tocsin.events.Topics;
import io.tocsin.testsupport.InjectKafkaBroker;
import io.tocsin.testsupport.KafkaBroker;
import io.tocsin.testsupport.KafkaTestResource;
import io.tocsin.testsupport.TopicWatcher;

/** The packaged application, started as its own process, takes an Alertmanager webhook into Kafka end to end. */
@QuarkusIntegrationTest
@WithTestResource(KafkaTestResource.class)
class AlertIngestIT {

    @InjectKafkaBroker
    KafkaBroker broker;

    @Test
    void alertmanagerWebhookBecomesDurableEvents() {
        given().get("/q/health/ready").then().statusCode(200);
        given().contentType(ContentType.JSON).body(resource("alertmanager/firing.json"))
                .when().post("/api/v1/alerts/alertmanager").then().statusCode(401);

        try (TopicWatcher watcher = TopicWatcher.fromNow(broker.bootstrapServers(), Topics.ALERTS, 3)) {
            given().auth().oauth2(AM_TOKEN).contentType(ContentType.JSON).body(resource("alertmanager/firing.json"))
                    .when().post("/api/v1/alerts/alertmanager")
                    .then().statusCode(202).body("accepted", equalTo(2));

            List<AlertReceived> events = awaitRecords(watcher, "codelab-monitor", 2).stream()
                    .map(record -> event(record)).toList();
            assertThat(events).extracting(AlertReceived::fingerprint)
                    .containsExactly("791cec13fcba0368", "8df98227bdd81384");
            assertThat(events).extracting(AlertReceived::status)
                    .containsExactly(AlertStatus.FIRING, AlertStatus.RESOLVED);
            assertThat(events).allSatisfy(e -> assertThat(e.source()).isEqualTo("alertmanager"));
        }
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics)
                .contains("tocsin_ingest_alerts_accepted_total{origin=\"alertmanager\",source=\"alertmanager\"} 2.0");
    }
}
