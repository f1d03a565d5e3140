package dev.dispatch.api;

import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;

/** Refuses oversized bodies before they are parsed: 413 naming the limit. */
@Provider
@PreMatching
@Priority(Priorities.AUTHENTICATION + 1)
public class BodySizeFilter implements ContainerRequestFilter {
    /** Lambda takes at most 6 MB per synchronous request, envelope included. */
    public static final int MAX_IMPORT_BYTES = 5 * 1024 * 1024;
    public static final int MAX_JSON_BYTES = 256 * 1024;
    /** 1,000 tracked events with long URLs and reasons; the same limit as provider webhooks. */
    public static final int MAX_TRACK_BYTES = 1024 * 1024;

    @Override
    public void filter(ContainerRequestContext request) {
        int length = request.getLength();
        if (length < 0) {
            return; // no declared length: the resource checks what it reads
        }
        String path = request.getUriInfo().getPath();
        int limit = path.endsWith("/bulk-import") ? MAX_IMPORT_BYTES
                : path.endsWith("/engagement/track") ? MAX_TRACK_BYTES : MAX_JSON_BYTES;
        if (length > limit) {
            request.abortWith(tooLarge(limit));
        }
    }

    static Response tooLarge(int limit) {
        return Response.status(413)
                .type("application/json")
                .entity(new ErrorView("the request body is larger than " + (limit / 1024) + " KiB", "body"))
                .build();
    }
}
