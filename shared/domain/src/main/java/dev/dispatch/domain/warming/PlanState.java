package dev.dispatch.domain.warming;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * A plan's stored progress, shared by every function instance.
 *
 * @param plan the plan's name
 * @param status where it stands
 * @param day the warm-up day it is on (1-based; past the schedule's last day when warm)
 * @param dayOf the UTC date {@code day} was set for: the plan advances at most once per UTC day
 * @param lastStepBackOn the UTC date of the last step back (at most one a day), or null
 * @param decisions the latest decisions, newest last (at most {@link #KEPT_DECISIONS})
 * @param version the stored version (0 = never stored): writes are conditional on it
 */
public record PlanState(String plan, PlanStatus status, int day, LocalDate dayOf, LocalDate lastStepBackOn,
        List<WarmingDecision> decisions, long version) {
    public static final int KEPT_DECISIONS = 30;

    public PlanState {
        decisions = List.copyOf(decisions);
    }

    public PlanState with(PlanStatus nextStatus, int nextDay, LocalDate nextDayOf, LocalDate nextStepBackOn) {
        return new PlanState(plan, nextStatus, nextDay, nextDayOf, nextStepBackOn, decisions, version);
    }

    /** This state with {@code decision} appended (the oldest dropped beyond {@link #KEPT_DECISIONS}). */
    public PlanState recording(WarmingDecision decision) {
        List<WarmingDecision> next = new ArrayList<>(decisions);
        next.add(decision);
        while (next.size() > KEPT_DECISIONS) {
            next.remove(0);
        }
        return new PlanState(plan, status, day, dayOf, lastStepBackOn, next, version);
    }
}
