package dev.dispatch.api;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
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
        // Open: health, docs, and one-click unsubscribe links (their signed token is their authentication).
        if (OPEN_PATHS.contains(path) || path.startsWith("/docs/") || path.startsWith("/openapi.") || path.startsWith("/u/")) {
            return;
        }
        if (!authorized(request.getHeaderString(HttpHeaders.AUTHORIZATION))) {
            request.abortWith(Response.status(Response.Status.UNAUTHORIZED)
                    .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer")
                    .entity(new ErrorView("unauthorized", null))
                    .type("application/json")
                    .build());
        }
    }

    private boolean authorized(String header) {
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        byte[] presented = sha256(header.substring(7).strip());
        boolean match = false;
        for (byte[] digest : keyDigests.current().get()) {
            // No early exit: every configured digest is compared, each in constant time.
            match |= MessageDigest.isEqual(presented, digest);
        }
        return match;
    }

    /**
     * Who made a change, for audit trails: {@code key-} and the first 12 hex digits of the presented key's SHA-256 -
     * enough to tell the keys apart, useless for recovering one. Only called behind this filter (the key matched).
     */
    static String keyId(String authorizationHeader) {
        if (authorizationHeader == null || !authorizationHeader.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return "key-unknown";
        }
        return "key-" + java.util.HexFormat.of().formatHex(sha256(authorizationHeader.substring(7).strip())).substring(0, 12);
    }

    private static byte[] sha256(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
