package dev.dispatch.api;

import dev.dispatch.domain.subscriber.AddressMigration;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/admin/migrations/address-identity")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "System")
@SecurityRequirement(name = "apiKey")
public class AdminResource {
    /** Well inside the HTTP API's 30 s integration timeout. */
    private static final Duration BUDGET = Duration.ofSeconds(20);

    private final AddressMigration migration;

    public AdminResource(AddressMigration migration) {
        this.migration = migration;
    }

    @POST
    @Operation(summary = "Move records of earlier versions to one key per address",
            description = "Addresses that differ only in letter case are one subscriber. Records written before that "
                    + "(keyed by the address with its local part as given) are moved to the lower-cased key and "
                    + "duplicate profiles merged, keeping every suppression. Resumable and idempotent: works up to "
                    + "20 s per call; 202 means call again, 200 that it is complete. enqueue-campaign also runs it "
                    + "before the first campaign after an upgrade, and campaigns wait for it.")
    public Response run() {
        boolean complete = migration.runUntil(Instant.now().plus(BUDGET));
        return Response.status(complete ? 200 : 202).entity(Map.of("complete", complete)).build();
    }
}
