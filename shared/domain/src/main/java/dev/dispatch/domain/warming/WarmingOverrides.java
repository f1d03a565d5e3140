package dev.dispatch.domain.warming;

import dev.dispatch.domain.ConflictException;
import dev.dispatch.domain.NotFoundException;
import dev.dispatch.domain.warming.WarmingDecision.Action;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;

/**
 * An operator's pause and resume of a plan, through the API, without a redeploy. Each is recorded among the plan's
 * decisions with who (the API key's id) and when. warming-tick never lifts an operator's pause.
 */
public class WarmingOverrides {
    private static final int ATTEMPTS = 5;

    private final WarmingConfig config;
    private final WarmingStore store;
    private final Clock clock;

    public WarmingOverrides(WarmingConfig config, WarmingStore store, Clock clock) {
        this.config = config;
        this.store = store;
        this.clock = clock;
    }

    public PlanState pause(String planName, String by) {
        WarmingPlan plan = enabledPlan(planName);
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            Instant now = clock.instant();
            LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
            PlanState current = store.find(planName)
                    .orElse(new PlanState(planName, PlanStatus.WARMING, 1, today, null, java.util.List.of(), 0));
            if (current.status() == PlanStatus.OPERATOR_PAUSED) {
                return current; // already paused by an operator: pausing again changes nothing
            }
            PlanState next = current.with(PlanStatus.OPERATOR_PAUSED, current.day(), current.dayOf(), current.lastStepBackOn())
                    .recording(new WarmingDecision(now, planName, Action.OPERATOR_PAUSED, "paused by an operator (was "
                            + current.status().wireName() + ")", by, current.day(), current.day(), Map.of()));
            if (store.save(next)) {
                return store.find(planName).orElse(next);
            }
        }
        throw new ConflictException("plan " + planName + " changed during the pause; try again");
    }

    public PlanState resume(String planName, String by) {
        WarmingPlan plan = enabledPlan(planName);
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            Instant now = clock.instant();
            LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
            PlanState current = store.find(planName).orElse(null);
            if (current == null || current.status() != PlanStatus.OPERATOR_PAUSED) {
                throw new ConflictException("plan " + planName + " is not paused by an operator (it is "
                        + (current == null ? "not started" : current.status().wireName())
                        + "); warming-tick resumes its own pauses when the rates recover");
            }
            PlanStatus back = current.day() > plan.schedule().days() ? PlanStatus.WARM : PlanStatus.WARMING;
            // The day counts from today again: the paused days were not warm-up days.
            PlanState next = current.with(back, current.day(), today, current.lastStepBackOn())
                    .recording(new WarmingDecision(now, planName, Action.OPERATOR_RESUMED, "resumed by an operator on day "
                            + current.day() + "; warming-tick judges the rates again at its next tick", by,
                            current.day(), current.day(), Map.of()));
            if (store.save(next)) {
                return store.find(planName).orElse(next);
            }
        }
        throw new ConflictException("plan " + planName + " changed during the resume; try again");
    }

    private WarmingPlan enabledPlan(String planName) {
        WarmingPlan plan = config.plan(planName).orElseThrow(() -> new NotFoundException("no warming plan " + planName));
        if (!plan.enabled()) {
            throw new ConflictException("plan " + planName + " is not enabled in " + WarmingConfig.FILE);
        }
        return plan;
    }
}
