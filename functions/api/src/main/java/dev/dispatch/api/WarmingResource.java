package dev.dispatch.api;

import dev.dispatch.domain.warming.PlanState;
import dev.dispatch.domain.warming.WarmingAllowance;
import dev.dispatch.domain.warming.WarmingConfig;
import dev.dispatch.domain.warming.WarmingDecision;
import dev.dispatch.domain.warming.WarmingOverrides;
import dev.dispatch.domain.warming.WarmingPlan;
import dev.dispatch.domain.warming.WarmingStore;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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

    public record Hours(int fromHour, int toHour) {}

    public record Thresholds(double pauseBounceRate, double pauseComplaintRate, double warningBounceRate,
            double warningComplaintRate, long minimumSample) {}

    public record Decision(String at, String action, String reason, String by, int dayBefore, int dayAfter,
            Map<String, Double> figures) {
        static Decision of(WarmingDecision d) {
            return new Decision(d.at().toString(), d.action().wireName(), d.reason(), d.by(), d.dayBefore(), d.dayAfter(),
                    d.figures());
        }
    }

    /**
     * One plan. {@code state}: disabled, not-started, warming, holding, paused, operator-paused or warm.
     * {@code todayVolume} and {@code allowanceNow} are null when the plan caps nothing (disabled or warm).
     */
    public record Plan(String name, boolean enabled, String provider, String ipPool, String schedule, int scheduleDays,
            String state, int day, Long todayVolume, Long allowanceNow, long usedToday, Hours sendingHours,
            Thresholds thresholds, String onWarning, String overAllowance, int windowDays, List<Decision> decisions) {}

    public record Plans(List<Plan> plans) {}

    @GET
    @Operation(summary = "IP warm-up plans",
            description = "Per plan of warming.yaml: the warm-up day, today's volume, the allowance released so far "
                    + "(the day's volume spread over the sending hours), today's usage, the state, and the latest "
                    + "decisions (newest first) with their reasons and the figures they saw.")
    public Plans plans() {
        Instant now = clock.instant();
        List<Plan> plans = new ArrayList<>();
        for (WarmingPlan plan : config.plans()) {
            plans.add(view(plan, plan.enabled() ? store.find(plan.name()).orElse(null) : null, now));
        }
        return new Plans(plans);
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
        return view(config.plan(name).orElseThrow(), state, clock.instant());
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
        return view(config.plan(name).orElseThrow(), state, clock.instant());
    }

    private Plan view(WarmingPlan plan, PlanState state, Instant now) {
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        String stateName = !plan.enabled() ? "disabled" : state == null ? "not-started" : state.status().wireName();
        Long volume = null;
        Long allowance = null;
        long used = 0;
        if (plan.enabled()) {
            long v = WarmingAllowance.dayVolume(plan, state);
            long a = WarmingAllowance.releasedBy(plan, state, now);
            volume = v == WarmingAllowance.UNCAPPED ? null : v;
            allowance = a == WarmingAllowance.UNCAPPED ? null : a;
            used = store.used(plan.name(), today);
        }
        List<Decision> decisions = new ArrayList<>();
        if (state != null) {
            for (int i = state.decisions().size() - 1; i >= 0; i--) {
                decisions.add(Decision.of(state.decisions().get(i)));
            }
        }
        var t = plan.thresholds();
        return new Plan(plan.name(), plan.enabled(), plan.provider(), plan.ipPool(), plan.schedule().name(),
                plan.schedule().days(), stateName, state == null ? (plan.enabled() ? 1 : 0) : state.day(), volume, allowance,
                used, new Hours(plan.sendingHours().fromHour(), plan.sendingHours().toHour()),
                new Thresholds(t.pauseBounceRate(), t.pauseComplaintRate(), t.warningBounceRate(), t.warningComplaintRate(),
                        t.minimumSample()),
                plan.onWarning() == WarmingPlan.OnWarning.HOLD ? "hold" : "stepBack",
                plan.overAllowance() == WarmingPlan.OverAllowance.DEFER ? "defer" : "route", plan.windowDays(), decisions);
    }
}
