package dev.dispatch.api;

import dev.dispatch.domain.warming.PlanState;
import dev.dispatch.domain.warming.WarmingConfig;
import dev.dispatch.domain.warming.WarmingOverrides;
import dev.dispatch.domain.warming.WarmingStore;
import dev.dispatch.domain.warming.WarmingView;
import dev.dispatch.domain.warming.WarmingView.Plan;
import dev.dispatch.domain.warming.WarmingView.Plans;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import java.time.Clock;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** IP warm-up plans: where each stands, what warming-tick decided and why, and an operator's pause and resume. */
@Path("/system/warming")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "System")
@SecurityRequirement(name = "apiKey")
public class WarmingResource {
    private final WarmingConfig config;
    private final WarmingStore store;
    private final WarmingOverrides overrides;
    private final Clock clock;

    public WarmingResource(WarmingConfig config, WarmingStore store, WarmingOverrides overrides, Clock clock) {
        this.config = config;
        this.store = store;
        this.overrides = overrides;
        this.clock = clock;
    }

    @GET
    @Operation(summary = "IP warm-up plans",
            description = "Per plan of warming.yaml: the warm-up day, today's volume, the allowance released so far "
                    + "(the day's volume spread over the sending hours), today's usage, the state, and the latest "
                    + "decisions (newest first) with their reasons and the figures they saw.")
    public Plans plans() {
        return WarmingView.plans(config, store, clock.instant());
    }

    @POST
    @Path("/{plan}/pause")
    @Operation(summary = "Pause a warming plan",
            description = "Its provider gets none of the plan's volume until an operator resumes it (warming-tick never "
                    + "does). Recorded among the decisions with the API key's id and the time.")
    @APIResponse(responseCode = "200", description = "Paused (or already paused by an operator)",
            content = @Content(schema = @Schema(implementation = Plan.class)))
    @APIResponse(responseCode = "404", description = "No such plan")
    @APIResponse(responseCode = "409", description = "The plan is not enabled")
    public Plan pause(@PathParam("plan") String name, @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        PlanState state = overrides.pause(name, ApiKeyFilter.keyId(authorization));
        return WarmingView.plan(config.plan(name).orElseThrow(), state, store, clock.instant());
    }

    @POST
    @Path("/{plan}/resume")
    @Operation(summary = "Resume a warming plan an operator paused",
            description = "It continues on the day it stopped at; warming-tick judges the rates again at its next tick. "
                    + "Recorded among the decisions with the API key's id and the time.")
    @APIResponse(responseCode = "200", description = "Resumed", content = @Content(schema = @Schema(implementation = Plan.class)))
    @APIResponse(responseCode = "404", description = "No such plan")
    @APIResponse(responseCode = "409", description = "Not paused by an operator (warming-tick resumes its own pauses), or not enabled")
    public Plan resume(@PathParam("plan") String name, @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        PlanState state = overrides.resume(name, ApiKeyFilter.keyId(authorization));
        return WarmingView.plan(config.plan(name).orElseThrow(), state, store, clock.instant());
    }
}
