package io.tocsin.runbook.api;

import java.util.Optional;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import io.tocsin.auth.Credentials;
import io.vertx.ext.web.RoutingContext;

/** Every {@code /api} path needs a token from {@code TOCSIN_API_TOKENS}; its name is the actor of what it changes. */
public class ApiAuthenticationFilter {

    /** Where the authenticated actor is kept for the request. */
    static final String ACTOR = "tocsin.actor";

    private final Credentials credentials;

    public ApiAuthenticationFilter(Credentials credentials) {
        this.credentials = credentials;
    }

    @ServerRequestFilter(preMatching = true)
    public Response authenticate(ContainerRequestContext request, RoutingContext routing) {
        String path = request.getUriInfo().getPath();
        if (!path.startsWith("/api/")) {
            return null;
        }
        Optional<String> actor = credentials.authenticate(request.getHeaderString(HttpHeaders.AUTHORIZATION));
        if (actor.isEmpty()) {
            return Response.fromResponse(Problems.build(401, "unauthenticated", "Authentication required",
                    "send a token configured in TOCSIN_API_TOKENS as 'Authorization: Bearer <token>'", path, null))
                    .header("WWW-Authenticate", "Bearer realm=\"tocsin\"").build();
        }
        routing.put(ACTOR, "api:" + actor.get());
        return null;
    }
}
