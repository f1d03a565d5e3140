package dev.dispatch.api;

import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Refuses oversized bodies before they are parsed, with or without a Content-Length: 413 naming the limit. Not
 * pre-matching: pre-matching filters run on the IO thread, where the body stream must not be touched.
 */
@Provider
@Priority(Priorities.AUTHENTICATION + 1)
public class BodySizeFilter implements ContainerRequestFilter {
    /** Lambda takes at most 6 MB per synchronous request, envelope included. */
    public static final int MAX_IMPORT_BYTES = 5 * 1024 * 1024;
    public static final int MAX_JSON_BYTES = 256 * 1024;
    /** 1,000 tracked events with long URLs and reasons; the same limit as provider webhooks. */
    public static final int MAX_TRACK_BYTES = 1024 * 1024;

    @Override
    public void filter(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        int limit = path.endsWith("/bulk-import") ? MAX_IMPORT_BYTES
                : path.endsWith("/engagement/track") ? MAX_TRACK_BYTES : MAX_JSON_BYTES;
        int length = request.getLength();
        if (length > limit) {
            request.abortWith(tooLarge(limit));
        } else if (length < 0) {
            // No declared length (chunked, or an API Gateway event without Content-Length): count what is read, so
            // the limit holds however the body arrives. The body reader hits the limit and ErrorMappers answers 413.
            request.setEntityStream(new LimitedInputStream(request.getEntityStream(), limit));
        }
    }

    /** Thrown by the body stream past the limit: an IOException, so JSON and byte readers pass it on unwrapped. */
    public static final class BodyTooLargeException extends IOException {
        private final int limit;

        BodyTooLargeException(int limit) {
            super("the request body is larger than " + limit + " bytes");
            this.limit = limit;
        }

        public int limit() {
            return limit;
        }
    }

    /** Passes at most {@code limit} bytes on; one byte more is a {@link BodyTooLargeException}. */
    static final class LimitedInputStream extends FilterInputStream {
        private final int limit;
        private long count;

        LimitedInputStream(InputStream in, int limit) {
            super(in);
            this.limit = limit;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                counted(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            if (n > 0) {
                counted(n);
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = super.skip(n);
            counted(skipped);
            return skipped;
        }

        private void counted(long n) throws BodyTooLargeException {
            count += n;
            if (count > limit) {
                throw new BodyTooLargeException(limit);
            }
        }
    }

    static Response tooLarge(int limit) {
        return Response.status(413)
                .type("application/json")
                .entity(new ErrorView("the request body is larger than " + (limit / 1024) + " KiB", "body"))
                .build();
    }
}
