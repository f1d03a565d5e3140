package dev.dispatch.api;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/health")
@Tag(name = "System")
public class SystemResource {
    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Liveness (no authentication)")
    public Map<String, String> health() {
        return Map.of("status", "ok");
    }
}
