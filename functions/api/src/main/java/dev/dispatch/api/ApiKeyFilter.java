package dev.dispatch.api;

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
import java.util.Set;

/**
 * Bearer API keys. Only SHA-256 digests of the keys are configured (in a Secrets Manager secret, re-read as it
 * rotates); the digest of the presented key is compared with each of them in constant time. Missing or wrong key:
 * 401 with no detail. No key configured: every protected route is refused (fail closed).
 */
@Provider
@ApplicationScoped
@PreMatching
@Priority(Priorities.AUTHENTICATION)
public class ApiKeyFilter implements ContainerRequestFilter {
    private static final Set<String> OPEN_PATHS = Set.of("/health", "/openapi", "/docs");

    private final ApiKeyDigests keyDigests;

    public ApiKeyFilter(ApiKeyDigests keyDigests) {
        this.keyDigests = keyDigests;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        String path = "/" + request.getUriInfo().getPath().replaceFirst("^/+", "");
        // Open: health, docs, and the signed per-recipient links - one-click unsubscribe (/u/), double opt-in
        // confirmation (/c/) and the preference center (/p/): their signed token is their authentication.
        if (OPEN_PATHS.contains(path) || path.startsWith("/docs/") || path.startsWith("/openapi.") || path.startsWith("/u/")
                || path.startsWith("/c/") || path.startsWith("/p/")) {
            return;
        }
        if (!keyDigests.accepts(request.getHeaderString(HttpHeaders.AUTHORIZATION))) {
            request.abortWith(Response.status(Response.Status.UNAUTHORIZED)
                    .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer")
                    .entity(new ErrorView("unauthorized", null))
                    .type("application/json")
                    .build());
        }
    }

    /** Who made a change, for audit trails (see {@link ApiKeyDigests#keyId}). Only called behind this filter. */
    static String keyId(String authorizationHeader) {
        return ApiKeyDigests.keyId(authorizationHeader);
    }
}
