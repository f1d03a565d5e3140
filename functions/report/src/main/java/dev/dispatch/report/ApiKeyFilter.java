package dev.dispatch.report;

import dev.dispatch.adapter.secrets.ApiKeyDigests;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;

/** Every route of this function needs the API key, checked exactly as the api function checks it. */
@Provider
@ApplicationScoped
@PreMatching
@Priority(Priorities.AUTHENTICATION)
public class ApiKeyFilter implements ContainerRequestFilter {
    private final ApiKeyDigests keyDigests;

    public ApiKeyFilter(ApiKeyDigests keyDigests) {
        this.keyDigests = keyDigests;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        if (!keyDigests.accepts(request.getHeaderString(HttpHeaders.AUTHORIZATION))) {
            request.abortWith(Response.status(Response.Status.UNAUTHORIZED)
                    .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer")
                    .entity(ErrorMappers.body("unauthorized", null)) // the api's 401 body
                    .type("application/json")
                    .build());
        }
    }
}
