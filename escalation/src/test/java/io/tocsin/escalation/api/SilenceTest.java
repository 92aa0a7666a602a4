package io.tocsin.escalation.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import io.tocsin.escalation.AlertFeed;
import io.tocsin.escalation.TestClock;
import io.tocsin.testsupport.InjectKafkaBroker;
import io.tocsin.testsupport.KafkaBroker;
import io.tocsin.testsupport.KafkaTestResource;
import io.tocsin.testsupport.PostgresTestResource;

/** A maintenance window: alerts still make incidents, notifications are withheld and say so, and resume after. */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class SilenceTest {

    @InjectKafkaBroker
    KafkaBroker broker;

    @Test
    void notificationsAreWithheldDuringTheSilenceAndResumeAfterIt() {
        String endsAt = TestClock.CLOCK.instant().plus(Duration.ofMinutes(30)).toString();
        String silence = api().contentType("application/json")
                .body("{\"matchers\": {\"service\": \"maintained\", \"instance\": \"~db[0-9]+\"}, \"endsAt\": \""
                        + endsAt + "\", \"comment\": \"db upgrade\"}")
                .when().post("/api/v1/silences")
                .then().statusCode(201).body("createdBy", equalTo("api:oncall")).extract().path("id");
        api().when().get("/api/v1/silences").then().statusCode(200).body("items.id", hasItem(silence));

        try (AlertFeed feed = new AlertFeed(broker.bootstrapServers())) {
            feed.send(AlertFeed.firing(Map.of("alertname", "Maintained", "service", "maintained", "instance", "db1"),
                    "during maintenance"));
        }
        String id = await().atMost(Duration.ofSeconds(30)).until(() -> api().queryParam("service", "maintained")
                .when().get("/api/v1/incidents").then().extract().jsonPath().getString("items[0].id"),
                found -> found != null);
        List<String> during = kinds(id);
        assertThat(during).contains("incident.opened", "alert.attached", "notification.withheld")
                .doesNotContain("notification.requested");

        TestClock.CLOCK.advance(Duration.ofMinutes(61)); // past the silence, and past the default policy's 1 h level
        await().atMost(Duration.ofSeconds(30)).until(() -> kinds(id).contains("notification.requested"));
    }

    @Test
    void silencesAreValidatedAndCanBeEndedEarly() {
        api().contentType("application/json").body("{\"matchers\": {\"service\": \"x\"}}").when()
                .post("/api/v1/silences").then().statusCode(400).body("errors[0].field", equalTo("endsAt"));
        api().contentType("application/json").body("{\"matchers\": {}, \"endsAt\": \"2099-01-01T00:00:00Z\"}").when()
                .post("/api/v1/silences").then().statusCode(400).body("errors[0].field", equalTo("matchers"));
        api().contentType("application/json")
                .body("{\"matchers\": {\"service\": \"~(\"}, \"endsAt\": \"2099-01-01T00:00:00Z\"}").when()
                .post("/api/v1/silences").then().statusCode(400).body("errors[0].field", equalTo("matchers.service"));

        String endsAt = TestClock.CLOCK.instant().plus(Duration.ofHours(2)).toString();
        String id = api().contentType("application/json")
                .body("{\"matchers\": {\"service\": \"short\"}, \"endsAt\": \"" + endsAt + "\"}")
                .when().post("/api/v1/silences").then().statusCode(201).extract().path("id");
        api().when().delete("/api/v1/silences/" + id).then().statusCode(200);
        assertThat(api().when().get("/api/v1/silences").then().extract().jsonPath().getList("items.id"))
                .doesNotContain(id);
        api().when().delete("/api/v1/silences/" + java.util.UUID.randomUUID()).then().statusCode(404);
    }

    private static List<String> kinds(String incident) {
        return api().when().get("/api/v1/incidents/" + incident + "/timeline").then().extract().jsonPath()
                .getList("items.kind");
    }

    private static RequestSpecification api() {
        return given().auth().oauth2("test-token-oncall-000000001");
    }
}
