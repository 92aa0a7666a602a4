package io.tocsin.ingest.api;

import static io.restassured.RestAssured.given;
import static io.tocsin.ingest.api.IngestTestSupport.AM_TOKEN;
import static io.tocsin.ingest.api.IngestTestSupport.alertmanagerPayload;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.config.HttpClientConfig;
import io.restassured.config.RestAssuredConfig;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import io.tocsin.testsupport.InjectKafkaBroker;
import io.tocsin.testsupport.KafkaBroker;
import io.tocsin.testsupport.KafkaTestResource;

/** Stops the real broker under the running service: a 2xx must never be given for alerts Kafka did not take. */
@QuarkusTest
@WithTestResource(value = KafkaTestResource.class, initArgs = @ResourceArg(name = KafkaTestResource.DEDICATED, value = "true"))
class BrokerOutageTest {

    /** Alertmanager's webhook client gives up on a request after 10 s; the 503 must come sooner. */
    private static final int ALERTMANAGER_TIMEOUT_MS = 10_000;

    @InjectKafkaBroker
    KafkaBroker broker;

    @Test
    void answers503WhileKafkaIsDownAndAcceptsAgainOnceItIsBack() {
        post("OutageBefore").then().statusCode(202);

        broker.stop();
        try {
            post("OutageDuring").then().statusCode(503)
                    .contentType(Problem.MEDIA_TYPE)
                    .header("Retry-After", "5")
                    .body("type", equalTo("urn:tocsin:problem:broker-unavailable"));
            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> given().get("/q/health/ready").then().statusCode(503));
        } finally {
            broker.restart();
        }

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> post("OutageAfter").then().statusCode(202));
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> given().get("/q/health/ready").then().statusCode(200));
    }

    private static io.restassured.response.Response post(String marker) {
        RequestSpecification request = given()
                .config(RestAssuredConfig.config().httpClient(HttpClientConfig.httpClientConfig()
                        .setParam("http.socket.timeout", ALERTMANAGER_TIMEOUT_MS)
                        .setParam("http.connection.timeout", ALERTMANAGER_TIMEOUT_MS)))
                .auth().oauth2(AM_TOKEN).contentType(ContentType.JSON).body(alertmanagerPayload(marker));
        return request.when().post("/api/v1/alerts/alertmanager");
    }
}
