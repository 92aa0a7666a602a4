package io.tocsin.ingest.api;

import static io.restassured.RestAssured.given;
import static io.tocsin.ingest.api.IngestTestSupport.AM_TOKEN;
import static io.tocsin.ingest.api.IngestTestSupport.UPTIME_TOKEN;
import static io.tocsin.ingest.api.IngestTestSupport.alertmanagerPayload;
import static io.tocsin.ingest.api.IngestTestSupport.awaitRecords;
import static io.tocsin.ingest.api.IngestTestSupport.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.tocsin.events.Topics;
import io.tocsin.testsupport.InjectKafkaBroker;
import io.tocsin.testsupport.KafkaBroker;
import io.tocsin.testsupport.KafkaTestResource;
import io.tocsin.testsupport.TopicWatcher;

@QuarkusTest
@WithTestResource(KafkaTestResource.class)
class AuthenticationTest {

    @InjectKafkaBroker
    KafkaBroker broker;

    @Test
    void requestsWithoutACredentialAreRefusedBeforeTheBodyIsLookedAt() {
        var challenges = given().contentType(ContentType.JSON).body("not even json")
                .when().post("/api/v1/alerts/alertmanager")
                .then().statusCode(401)
                .contentType(Problem.MEDIA_TYPE)
                .body("type", equalTo("urn:tocsin:problem:unauthenticated"))
                .extract().headers().getValues("WWW-Authenticate");
        assertThat(challenges).containsExactly("Bearer realm=\"tocsin\"", "Basic realm=\"tocsin\", charset=\"UTF-8\"");
        given().get("/api/v1/alerts").then().statusCode(401);
    }

    @Test
    void unknownTokensAndMismatchedBasicUsersAreRefused() {
        given().auth().oauth2("test-token-that-nobody-configured").contentType(ContentType.JSON)
                .body(alertmanagerPayload("Nope")).when().post("/api/v1/alerts/alertmanager")
                .then().statusCode(401);
        given().auth().preemptive().basic("alertmanager", UPTIME_TOKEN).contentType(ContentType.JSON)
                .body(alertmanagerPayload("Nope")).when().post("/api/v1/alerts/alertmanager")
                .then().statusCode(401);
        given().header("Authorization", AM_TOKEN).contentType(ContentType.JSON)
                .body(alertmanagerPayload("Nope")).when().post("/api/v1/alerts/alertmanager")
                .then().statusCode(401);
        String metrics = given().get("/q/metrics").then().extract().asString();
        assertThat(metrics).containsPattern(
                "tocsin_ingest_requests_rejected_total\\{reason=\"unauthenticated\",source=\"unauthenticated\"\\} \\d");
    }

    @Test
    void bearerAndBasicCredentialsBothWorkAndNameTheSource() {
        try (TopicWatcher watcher = TopicWatcher.fromNow(broker.bootstrapServers(), Topics.ALERTS, 3)) {
            given().auth().oauth2(AM_TOKEN).contentType(ContentType.JSON).body(alertmanagerPayload("AuthBearer"))
                    .when().post("/api/v1/alerts/alertmanager").then().statusCode(202);
            given().auth().preemptive().basic("uptime", UPTIME_TOKEN).contentType(ContentType.JSON)
                    .body(alertmanagerPayload("AuthBasic")).when().post("/api/v1/alerts/alertmanager")
                    .then().statusCode(202);

            assertThat(event(awaitRecords(watcher, "AuthBearer", 1).get(0)).source()).isEqualTo("alertmanager");
            assertThat(event(awaitRecords(watcher, "AuthBasic", 1).get(0)).source()).isEqualTo("uptime");
        }
    }

    @Test
    void operationalEndpointsStayOpenForProbesAndScrapers() {
        given().get("/q/health/live").then().statusCode(200);
        given().get("/q/metrics").then().statusCode(200);
        given().get("/q/openapi").then().statusCode(200).body(org.hamcrest.Matchers.containsString("/api/v1/alerts"));
        given().auth().oauth2(AM_TOKEN).get("/api/v1/nothing-here").then().statusCode(404);
        given().get("/q/health").then().body("checks.name", hasItems("kafka"));
    }
}
