package io.tocsin.runbook;

import static io.restassured.RestAssured.given;

import java.util.UUID;

import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;

/** The runbook API as the tests call it, with the test token. */
public final class Api {

    private Api() {
    }

    public static RequestSpecification call() {
        return given().header("Authorization", "Bearer " + Fakes.API_TOKEN).contentType("application/json");
    }

    /** The incident's runs, newest first. */
    public static JsonPath runs(UUID incident) {
        return call().get("/api/v1/runbook-runs?incident=" + incident).then().statusCode(200).extract().jsonPath();
    }

    /** The state of the incident's newest run, or null. */
    public static String state(UUID incident) {
        return runs(incident).getString("items[0].state");
    }

    /** The incident's newest run with its steps. */
    public static JsonPath run(UUID incident) {
        String id = runs(incident).getString("items[0].id");
        return call().get("/api/v1/runbook-runs/" + id).then().statusCode(200).extract().jsonPath();
    }
}
