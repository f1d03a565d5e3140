package dev.dispatch.domain.warming;

import dev.dispatch.domain.warming.WarmingDecision.Action;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What warming-tick does to one plan given its state and the provider's feedback: start it, advance it a day per UTC
 * day, pause it at a pause level, hold or step back between the warning and the pause levels, resume it when the
 * rates are back under the warning levels. Never touches a plan an operator paused. Pure: no storage, no clock.
 */
public final class WarmingPolicy {
    private WarmingPolicy() {}

    /** The next state and the decisions that lead to it (none: nothing to store). */
    public record Outcome(PlanState next, List<WarmingDecision> decisions) {
        public Outcome {
            decisions = List.copyOf(decisions);
        }
    }

    public static Outcome decide(WarmingPlan plan, PlanState current, FeedbackFigures figures, Instant now) {
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        List<WarmingDecision> made = new ArrayList<>();
        PlanState s = current;
        if (s == null) {
            s = new PlanState(plan.name(), PlanStatus.WARMING, 1, today, null, List.of(), 0);
            s = record(s, made, decision(plan, now, Action.STARTED, 0, 1, figures,
                    "warm-up starts on day 1 of schedule " + plan.schedule().name() + " (" + plan.dailyVolume(1)
                            + " emails a day)"));
        }
        if (s.status() == PlanStatus.WARM || s.status() == PlanStatus.OPERATOR_PAUSED) {
            return new Outcome(s, made); // an operator's pause is lifted by an operator only
        }
        if (s.day() > plan.schedule().days()) {
            // The schedule was shortened under a running plan (warming.yaml edited): it is past its last day.
            s = record(s.with(PlanStatus.WARM, s.day(), today, s.lastStepBackOn()), made, decision(plan, now,
                    Action.WARMED, s.day(), s.day(), figures, "past the last day (" + plan.schedule().days()
                            + ") of schedule " + plan.schedule().name() + ": no warming cap any more"));
            return new Outcome(s, made);
        }
        WarmingThresholds t = plan.thresholds();
        boolean judged = figures.sent() >= t.minimumSample();
        double bounce = figures.bounceRate();
        double complaint = figures.complaintRate();
        boolean overPause = judged && (bounce >= t.pauseBounceRate() || complaint >= t.pauseComplaintRate());
        boolean overWarning = judged && (bounce >= t.warningBounceRate() || complaint >= t.warningComplaintRate());
        int day = s.day();

        if (overPause) {
            if (s.status() != PlanStatus.PAUSED) {
                s = record(s.with(PlanStatus.PAUSED, day, s.dayOf(), s.lastStepBackOn()), made, decision(plan, now,
                        Action.PAUSED, day, day, figures, "at or over a pause level: " + levels(figures, t.pauseBounceRate(),
                                t.pauseComplaintRate(), "pause")));
            }
            return new Outcome(s, made);
        }
        if (s.status() == PlanStatus.PAUSED) {
            // Resuming needs the evidence gone, not merely too little of it: a paused plan sends nothing, so the window
            // only shrinks to the bad days themselves; they must be under the warning levels (or aged out of it).
            boolean stillBad = bounce >= t.warningBounceRate() || complaint >= t.warningComplaintRate();
            if (!stillBad) {
                // Resumed on the day it stopped at; the next day starts tomorrow.
                s = record(s.with(PlanStatus.WARMING, day, today, s.lastStepBackOn()), made, decision(plan, now,
                        Action.RESUMED, day, day, figures, "rates back under the warning levels: " + ratesText(figures,
                                t) + "; resumes on day " + day));
            }
            return new Outcome(s, made);
        }
        if (overWarning) {
            String why = levels(figures, t.warningBounceRate(), t.warningComplaintRate(), "warning");
            if (plan.onWarning() == WarmingPlan.OnWarning.HOLD) {
                if (s.status() != PlanStatus.HOLDING || s.dayOf().isBefore(today)) {
                    s = record(s.with(PlanStatus.HOLDING, day, today, s.lastStepBackOn()), made, decision(plan, now,
                            Action.HELD, day, day, figures, "between warning and pause levels (" + why + "): stays on day "
                                    + day));
                }
            } else if (s.lastStepBackOn() == null || s.lastStepBackOn().isBefore(today)) {
                int back = Math.max(1, day - 1);
                s = record(s.with(PlanStatus.HOLDING, back, today, today), made, decision(plan, now, Action.STEPPED_BACK,
                        day, back, figures, "between warning and pause levels (" + why + "): back to day " + back + " ("
                                + plan.dailyVolume(back) + " emails a day)"));
            } // else: stepped back once today already; the day still does not advance (no new decision)
            return new Outcome(s, made);
        }
        if (s.status() == PlanStatus.HOLDING) {
            s = record(s.with(PlanStatus.WARMING, day, s.dayOf(), s.lastStepBackOn()), made, decision(plan, now,
                    Action.RESUMED, day, day, figures, "rates back under the warning levels: " + judgedText(figures, t)));
        }
        if (s.dayOf().isBefore(today)) {
            int next = day + 1;
            if (next > plan.schedule().days()) {
                s = record(s.with(PlanStatus.WARM, next, today, s.lastStepBackOn()), made, decision(plan, now,
                        Action.WARMED, day, next, figures, "schedule " + plan.schedule().name() + " completed after "
                                + plan.schedule().days() + " days: no warming cap any more"));
            } else {
                s = record(s.with(PlanStatus.WARMING, next, today, s.lastStepBackOn()), made, decision(plan, now,
                        Action.ADVANCED, day, next, figures, "a new UTC day with rates under the warning levels ("
                                + judgedText(figures, t) + "): day " + next + " (" + plan.dailyVolume(next) + " emails)"));
            }
        }
        return new Outcome(s, made);
    }

    private static PlanState record(PlanState s, List<WarmingDecision> made, WarmingDecision d) {
        made.add(d);
        return s.recording(d);
    }

    private static WarmingDecision decision(WarmingPlan plan, Instant now, Action action, int before, int after,
            FeedbackFigures figures, String reason) {
        return new WarmingDecision(now, plan.name(), action, reason, WarmingDecision.TICKER, before, after, figures.asMap());
    }

    private static String judgedText(FeedbackFigures f, WarmingThresholds t) {
        if (f.sent() < t.minimumSample()) {
            return "too few sent in the window to judge (" + f.sent() + " < " + t.minimumSample() + ")";
        }
        return ratesText(f, t);
    }

    private static String ratesText(FeedbackFigures f, WarmingThresholds t) {
        return "bounce " + percent(f.bounceRate()) + " < " + percent(t.warningBounceRate()) + ", complaint "
                + percent(f.complaintRate()) + " < " + percent(t.warningComplaintRate()) + " over " + f.sent() + " sent in " + f.from() + ".." + f.to();
    }

    private static String levels(FeedbackFigures f, double bounceLevel, double complaintLevel, String kind) {
        List<String> parts = new ArrayList<>();
        if (f.bounceRate() >= bounceLevel) {
            parts.add("bounce rate " + percent(f.bounceRate()) + " >= " + kind + " level " + percent(bounceLevel));
        }
        if (f.complaintRate() >= complaintLevel) {
            parts.add("complaint rate " + percent(f.complaintRate()) + " >= " + kind + " level " + percent(complaintLevel));
        }
        return String.join(", ", parts) + " (" + f.bounced() + " bounced, " + f.complained() + " complained of "
                + f.sent() + " sent, " + f.from() + ".." + f.to() + ")";
    }

    static String percent(double rate) {
        return String.format(Locale.ROOT, "%.3f %%", rate * 100);
    }
}
