package io.tocsin.ingest.api;

import java.security.Principal;
import java.util.Optional;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import io.tocsin.ingest.metrics.IngestMetrics;
import io.tocsin.ingest.metrics.IngestMetrics.Rejection;

/**
 * Guards every {@code /api} path: a request must carry a configured credential before any of its body is read. The
 * credential's name becomes the request's principal, the alerts' source.
 */
public class AuthenticationFilter {

    private final Credentials credentials;
    private final Problems problems;
    private final IngestMetrics metrics;

    public AuthenticationFilter(Credentials credentials, Problems problems, IngestMetrics metrics) {
        this.credentials = credentials;
        this.problems = problems;
        this.metrics = metrics;
    }

    @ServerRequestFilter(preMatching = true)
    public Response authenticate(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        if (!path.startsWith("/api/")) {
            return null;
        }
        Optional<String> source = credentials.authenticate(request.getHeaderString(HttpHeaders.AUTHORIZATION));
        if (source.isEmpty()) {
            metrics.rejected(IngestMetrics.UNKNOWN_SOURCE, Rejection.UNAUTHENTICATED, 0);
            return problems.unauthenticated(path);
        }
        request.setSecurityContext(new SourceContext(source.get(), request.getSecurityContext().isSecure()));
        return null;
    }

    /** The authenticated source as the request's principal. */
    private record SourceContext(String source, boolean secure) implements SecurityContext {

        @Override
        public Principal getUserPrincipal() {
            return () -> source;
        }

        @Override
        public boolean isUserInRole(String role) {
            return false;
        }

        @Override
        public boolean isSecure() {
            return secure;
        }

        @Override
        public String getAuthenticationScheme() {
            return "token";
        }
    }
}
