package io.tocsin.ingest.api;

import java.util.Optional;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import io.tocsin.auth.Credentials;
import io.tocsin.ingest.metrics.IngestMetrics;
import io.tocsin.ingest.metrics.IngestMetrics.Rejection;
import io.vertx.ext.web.RoutingContext;

/**
 * Guards every {@code /api} path: a request must carry a configured credential before any of its body is read. The
 * credential's name becomes the alerts' source.
 */
public class AuthenticationFilter {

    /**
     * Where the authenticated source name is kept for the request. (A JAX-RS SecurityContext would do, but setting one
     * costs a CDI lookup per request when Quarkus Security is absent.)
     */
    public static final String SOURCE = "tocsin.source";

    private final Credentials credentials;
    private final Problems problems;
    private final IngestMetrics metrics;

    public AuthenticationFilter(Credentials credentials, Problems problems, IngestMetrics metrics) {
        this.credentials = credentials;
        this.problems = problems;
        this.metrics = metrics;
    }

    @ServerRequestFilter(preMatching = true)
    public Response authenticate(ContainerRequestContext request, RoutingContext routing) {
        String path = request.getUriInfo().getPath();
        if (!path.startsWith("/api/")) {
            return null;
        }
        Optional<String> source = credentials.authenticate(request.getHeaderString(HttpHeaders.AUTHORIZATION));
        if (source.isEmpty()) {
            metrics.rejected(IngestMetrics.UNKNOWN_SOURCE, Rejection.UNAUTHENTICATED, 0);
            return problems.unauthenticated(path);
        }
        routing.put(SOURCE, source.get());
        return null;
    }
}
