package dev.dispatch.domain.warming;

import java.time.Instant;

/**
 * How much a warming plan may have released by a moment of the day: the day's volume times the share of the sending
 * hours that has passed. A pool thus receives its day in even steps, never at once; what is not used early stays
 * available later the same day, never the next.
 */
public final class WarmingAllowance {
    /** A warm plan (or none) caps nothing. */
    public static final long UNCAPPED = Long.MAX_VALUE;

    private WarmingAllowance() {}

    /** The day's whole volume; 0 when stopped, {@link #UNCAPPED} when warm. A plan not ticked yet is on day 1. */
    public static long dayVolume(WarmingPlan plan, PlanState state) {
        if (state == null) {
            return plan.dailyVolume(1);
        }
        if (state.status().stopped()) {
            return 0;
        }
        if (state.status() == PlanStatus.WARM || state.day() > plan.schedule().days()) {
            return UNCAPPED;
        }
        return plan.dailyVolume(state.day());
    }

    /** What may have been released today by {@code now}, in total. */
    public static long releasedBy(WarmingPlan plan, PlanState state, Instant now) {
        long volume = dayVolume(plan, state);
        if (volume == UNCAPPED || volume == 0) {
            return volume;
        }
        return (long) Math.floor(volume * plan.sendingHours().elapsedShare(now) + 1e-9);
    }
}
