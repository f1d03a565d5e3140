package dev.dispatch.api;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * {@code /docs} opens Swagger UI. The UI lives under {@code /docs/ui/} and is linked to its page directly: API
 * Gateway's {@code /docs/{proxy+}} route does not match a bare {@code /docs/}, where Swagger UI would redirect.
 */
@Path("/docs")
@Tag(name = "System")
public class DocsResource {
    @GET
    @Operation(summary = "Swagger UI (no authentication)")
    public Response docs() {
        return Response.status(Response.Status.FOUND).location(URI.create("/docs/ui/index.html")).build();
    }
}
