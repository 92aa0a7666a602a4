package io.tocsin.escalation.api;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import io.tocsin.outbox.Failures;

/**
 * What the API answers when a request fails for want of the database: 503 with {@code Retry-After} when retrying can
 * pass (the database away, a conflict past the command's retries), so a client (the console, a script) tries again;
 * anything else stays a 500, logged once with its cause.
 */
public class ApiFailures {

    private static final Logger LOG = Logger.getLogger(ApiFailures.class);

    @ServerExceptionMapper
    public Response failed(Throwable failure, UriInfo uri) {
        if (failure instanceof WebApplicationException web) {
            return web.getResponse();
        }
        if (Failures.isTransient(failure)) {
            LOG.warnf("%s answered 503: %s", uri.getPath(), failure.getMessage());
            return ApiProblems.unavailable(uri.getPath());
        }
        LOG.errorf(failure, "%s failed", uri.getPath());
        return Response.serverError().build();
    }
}
