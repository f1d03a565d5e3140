package dev.dispatch.domain.warming;

/**
 * One IP pool's warm-up as configured in {@code warming.yaml}.
 *
 * @param name the plan's name (URL- and key-safe: lower-case letters, digits, dashes)
 * @param provider the provider whose traffic it caps ({@code ses}, {@code sendgrid}, {@code postmark})
 * @param ipPool the provider's IP pool it warms (one of the provider's {@code ipPools} in {@code providers.yaml})
 * @param schedule the daily volumes it follows
 * @param enabled false: the plan is shown but neither ticks nor caps anything
 * @param sendingHours the UTC hours its allowance is spread over
 * @param thresholds the feedback levels it pauses and slows down at
 * @param onWarning what warming-tick does between the warning and the pause levels
 * @param overAllowance what happens to recipients over the day's allowance
 * @param windowDays the days of provider statistics (today included) the rates are computed over
 */
public record WarmingPlan(String name, String provider, String ipPool, WarmingSchedule schedule, boolean enabled,
        SendingHours sendingHours, WarmingThresholds thresholds, OnWarning onWarning, OverAllowance overAllowance,
        int windowDays) {

    public enum OnWarning {
        /** Stay on the same day until the rates fall below the warning levels. */
        HOLD,
        /** Go back one day (at most once per UTC day) while the rates stay between warning and pause. */
        STEP_BACK
    }

    public enum OverAllowance {
        /** Recipients over the allowance wait for the next release (later today or tomorrow). */
        DEFER,
        /** Recipients over the allowance go through another, already-warm provider. */
        ROUTE
    }

    /** The emails of warm-up day {@code day}. */
    public long dailyVolume(int day) {
        return schedule.dailyVolume(day, sendingHours.hoursPerDay());
    }
}
