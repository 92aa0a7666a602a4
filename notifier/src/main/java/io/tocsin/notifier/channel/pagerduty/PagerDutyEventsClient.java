package io.tocsin.notifier.channel.pagerduty;

import java.util.Map;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;
import org.jboss.resteasy.reactive.RestResponse;

import io.smallrye.mutiny.Uni;

/** PagerDuty's Events API v2 enqueue endpoint; its URL is the client's base URL ({@code TOCSIN_PAGERDUTY_EVENTS_URL}). */
@RegisterRestClient(configKey = "pagerduty")
interface PagerDutyEventsClient {

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    Uni<RestResponse<String>> enqueue(Map<String, Object> event);
}
