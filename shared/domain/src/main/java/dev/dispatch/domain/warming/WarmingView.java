package dev.dispatch.domain.warming;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Where each warm-up plan stands, as the api's {@code GET /system/warming} and the report function's
 * {@code GET /reports/warming} (the dashboard's warming view) both show it: one builder for both.
 */
public final class WarmingView {
    private WarmingView() {}

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

    /** Every plan of the configuration: per enabled plan its state item and today's usage (two reads). */
    public static Plans plans(WarmingConfig config, WarmingStore store, Instant now) {
        List<Plan> plans = new ArrayList<>();
        for (WarmingPlan plan : config.plans()) {
            plans.add(plan(plan, plan.enabled() ? store.find(plan.name()).orElse(null) : null, store, now));
        }
        return new Plans(plans);
    }

    /** One plan with the state it has (null: never started, or disabled). */
    public static Plan plan(WarmingPlan plan, PlanState state, WarmingStore store, Instant now) {
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
