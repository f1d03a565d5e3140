package dev.dispatch.api;

import dev.dispatch.domain.system.StatusView;
import dev.dispatch.domain.system.SystemStatus;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The whole system at a glance (behind the API key); the report function shows the same view (StatusView). */
@Path("/system/status")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "System")
@SecurityRequirement(name = "apiKey")
public class SystemStatusResource {
    private final SystemStatus status;

    public SystemStatusResource(SystemStatus status) {
        this.status = status;
    }

    @GET
    @Operation(summary = "The whole system at a glance",
            description = "Queue depths (waiting, in flight, delayed) including the dead-letter queues; per provider: "
                    + "whether it is enabled, its configured rate, its current rate (lowered after throttling "
                    + "answers, growing back by 2 % of the configured rate a second), the permits asked for in the "
                    + "current second, today's usage (UTC day) against the daily quota; and the campaigns sending "
                    + "now (at most 50).")
    public StatusView status() {
        return StatusView.of(status.report());
    }
}
