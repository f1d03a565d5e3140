package dev.dispatch.domain.warming;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dispatch.domain.ConflictException;
import dev.dispatch.domain.engagement.DeliveryStats;
import dev.dispatch.domain.warming.WarmingDecision.Action;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** warming-tick's rules on one plan: start, advance, pause and resume at the thresholds, hold, step back. */
class WarmingPolicyTest {
    private static final WarmingSchedule SCHEDULE = WarmingSchedule.ramp("product-default", 50, 3000, 30);
    private static final Instant DAY1 = Instant.parse("2031-03-01T09:00:00Z");

    static WarmingPlan plan(WarmingPlan.OnWarning onWarning) {
        return new WarmingPlan("p1", "ses", "ses-shared", SCHEDULE, true, new SendingHours(8, 20),
                WarmingThresholds.DEFAULT, onWarning, WarmingPlan.OverAllowance.DEFER, 3);
    }

    private static FeedbackFigures figures(long sent, long bounced, long complained) {
        return new FeedbackFigures(LocalDate.parse("2031-02-27"), LocalDate.parse("2031-03-01"), sent, bounced, complained);
    }

    private static final FeedbackFigures CLEAN = figures(1000, 10, 0);

    private static PlanState state(PlanStatus status, int day, Instant dayOf) {
        return new PlanState("p1", status, day, LocalDate.ofInstant(dayOf, ZoneOffset.UTC), null, List.of(), 3);
    }

    private static List<Action> actions(WarmingPolicy.Outcome o) {
        return o.decisions().stream().map(WarmingDecision::action).toList();
    }

    @Test
    void givenNoState_whenTicked_thenThePlanStartsOnDayOneWithItsDecision() {
        WarmingPolicy.Outcome o = WarmingPolicy.decide(plan(WarmingPlan.OnWarning.HOLD), null, CLEAN, DAY1);
        assertEquals(List.of(Action.STARTED), actions(o));
        assertEquals(1, o.next().day());
        assertEquals(PlanStatus.WARMING, o.next().status());
        assertEquals(1, o.next().decisions().size());
        assertEquals(1000.0, o.decisions().get(0).figures().get("sent"));
    }

    @Test
    void givenCleanRates_whenTheUtcDayChanges_thenOneDayIsAdvancedAndOnlyOnce() {
        WarmingPlan plan = plan(WarmingPlan.OnWarning.HOLD);
        PlanState s = state(PlanStatus.WARMING, 4, DAY1);
        assertEquals(List.of(), actions(WarmingPolicy.decide(plan, s, CLEAN, DAY1.plusSeconds(3600))), "same day: nothing");
        WarmingPolicy.Outcome next = WarmingPolicy.decide(plan, s, CLEAN, DAY1.plusSeconds(86400));
        assertEquals(List.of(Action.ADVANCED), actions(next));
        assertEquals(5, next.next().day());
        assertTrue(next.decisions().get(0).reason().contains("day 5 (" + plan.dailyVolume(5) + " emails)"),
                next.decisions().get(0).reason());
        // the tick an hour later the same day does nothing more
        assertEquals(List.of(), actions(WarmingPolicy.decide(plan, next.next(), CLEAN, DAY1.plusSeconds(86400 + 3600))));
    }

    @Test
    void givenABounceRateJustUnderAndAtThePauseLevel_thenOnlyTheLevelPauses() {
        WarmingPlan plan = plan(WarmingPlan.OnWarning.HOLD);
        PlanState s = state(PlanStatus.WARMING, 4, DAY1);
        WarmingPolicy.Outcome under = WarmingPolicy.decide(plan, s, figures(1000, 49, 0), DAY1.plusSeconds(60));
        assertEquals(List.of(Action.HELD), actions(under), "4.9 % is between warning (3 %) and pause (5 %)");
        WarmingPolicy.Outcome at = WarmingPolicy.decide(plan, s, figures(1000, 50, 0), DAY1.plusSeconds(60));
        assertEquals(List.of(Action.PAUSED), actions(at));
        assertEquals(PlanStatus.PAUSED, at.next().status());
        WarmingDecision d = at.decisions().get(0);
        assertEquals(0.05, d.figures().get("bounceRate"), 1e-12);
        assertTrue(d.reason().contains("bounce rate 5.000 % >= pause level 5.000 %"), d.reason());
        assertEquals(0, WarmingAllowance.dayVolume(plan, at.next()), "a paused plan releases nothing");
    }

    @Test
    void givenAComplaintRateAtTheLevel_thenThePlanPauses_andUnderTheSampleNothingIsJudged() {
        WarmingPlan plan = plan(WarmingPlan.OnWarning.HOLD);
        PlanState s = state(PlanStatus.WARMING, 4, DAY1);
        assertEquals(List.of(Action.PAUSED), actions(WarmingPolicy.decide(plan, s, figures(2000, 0, 2), DAY1)));
        assertEquals(List.of(Action.HELD), actions(WarmingPolicy.decide(plan, s, figures(2000, 0, 1), DAY1)),
                "0.05 % is the warning level");
        assertEquals(List.of(), actions(WarmingPolicy.decide(plan, s, figures(49, 49, 49), DAY1)),
                "49 sent is under the minimum sample of 50: not judged");
    }

    @Test
    void givenAPausedPlan_whenRatesStayOverWarning_thenItStaysPaused_andResumesUnderWarningOnTheSameDay() {
        WarmingPlan plan = plan(WarmingPlan.OnWarning.HOLD);
        PlanState paused = state(PlanStatus.PAUSED, 7, DAY1);
        Instant later = DAY1.plusSeconds(2 * 86400);
        assertEquals(List.of(), actions(WarmingPolicy.decide(plan, paused, figures(1000, 30, 0), later)),
                "3 % is still at the warning level");
        WarmingPolicy.Outcome resumed = WarmingPolicy.decide(plan, paused, figures(1000, 29, 0), later);
        assertEquals(List.of(Action.RESUMED), actions(resumed));
        assertEquals(7, resumed.next().day(), "paused days are not warm-up days");
        assertEquals(PlanStatus.WARMING, resumed.next().status());
        assertEquals(LocalDate.parse("2031-03-03"), resumed.next().dayOf(), "the next day starts tomorrow");
    }

    @Test
    void givenHold_whenWarningPersistsOverDays_thenTheDayNeverAdvancesAndEachDayRecordsOneHold() {
        WarmingPlan plan = plan(WarmingPlan.OnWarning.HOLD);
        PlanState s = state(PlanStatus.WARMING, 6, DAY1);
        FeedbackFigures warning = figures(1000, 35, 0);
        WarmingPolicy.Outcome first = WarmingPolicy.decide(plan, s, warning, DAY1);
        assertEquals(List.of(Action.HELD), actions(first));
        assertEquals(List.of(), actions(WarmingPolicy.decide(plan, first.next(), warning, DAY1.plusSeconds(3600))));
        WarmingPolicy.Outcome nextDay = WarmingPolicy.decide(plan, first.next(), warning, DAY1.plusSeconds(86400));
        assertEquals(List.of(Action.HELD), actions(nextDay));
        assertEquals(6, nextDay.next().day());
        // recovery on a later day: resumed and advanced in one tick
        WarmingPolicy.Outcome recovered = WarmingPolicy.decide(plan, nextDay.next(), CLEAN, DAY1.plusSeconds(2 * 86400));
        assertEquals(List.of(Action.RESUMED, Action.ADVANCED), actions(recovered));
        assertEquals(7, recovered.next().day());
    }

    @Test
    void givenStepBack_whenWarningPersists_thenOneDayBackPerUtcDayAndNeverBelowDayOne() {
        WarmingPlan plan = plan(WarmingPlan.OnWarning.STEP_BACK);
        FeedbackFigures warning = figures(2000, 0, 1); // complaint 0.05 %: the warning level
        WarmingPolicy.Outcome first = WarmingPolicy.decide(plan, state(PlanStatus.WARMING, 2, DAY1), warning, DAY1);
        assertEquals(List.of(Action.STEPPED_BACK), actions(first));
        assertEquals(1, first.next().day());
        assertEquals(List.of(), actions(WarmingPolicy.decide(plan, first.next(), warning, DAY1.plusSeconds(7200))),
                "once per UTC day");
        WarmingPolicy.Outcome second = WarmingPolicy.decide(plan, first.next(), warning, DAY1.plusSeconds(86400));
        assertEquals(List.of(Action.STEPPED_BACK), actions(second));
        assertEquals(1, second.next().day(), "never below day 1");
    }

    @Test
    void givenTheLastDay_whenTheDayChanges_thenThePlanIsWarm_andAShortenedScheduleMakesItWarmAtOnce() {
        WarmingPlan plan = plan(WarmingPlan.OnWarning.STEP_BACK);
        WarmingPolicy.Outcome warm = WarmingPolicy.decide(plan, state(PlanStatus.WARMING, 30, DAY1), CLEAN,
                DAY1.plusSeconds(86400));
        assertEquals(List.of(Action.WARMED), actions(warm));
        assertEquals(PlanStatus.WARM, warm.next().status());
        assertEquals(List.of(), actions(WarmingPolicy.decide(plan, warm.next(), figures(1000, 500, 10), DAY1.plusSeconds(2 * 86400))),
                "a warm plan is no longer judged");
        WarmingPolicy.Outcome shortened = WarmingPolicy.decide(plan, state(PlanStatus.HOLDING, 40, DAY1),
                figures(1000, 35, 0), DAY1);
        assertEquals(List.of(Action.WARMED), actions(shortened), "no step back past a schedule's end");
    }

    @Test
    void givenAnOperatorPause_thenTheTickerNeverResumesIt_andOnlyAnOperatorDoes() {
        WarmingPlan plan = plan(WarmingPlan.OnWarning.HOLD);
        WarmingConfig config = WarmingConfig.of(List.of(SCHEDULE), List.of(plan),
                dev.dispatch.domain.config.ProviderCatalog.of(List.of(new dev.dispatch.domain.config.ProviderSettings("ses",
                        14, 50000, 50, true, List.of("ses-shared")))));
        InMemoryWarmingStore store = new InMemoryWarmingStore();
        MutableClock clock = new MutableClock(DAY1);
        DeliveryStats noStats = new DeliveryStats() {
            @Override
            public void add(LocalDate day, String provider, Map<String, Long> counts) {}

            @Override
            public List<Day> days(LocalDate from, LocalDate to) {
                return List.of();
            }
        };
        WarmingTicker ticker = new WarmingTicker(config, store, noStats, clock);
        WarmingOverrides overrides = new WarmingOverrides(config, store, clock);
        assertEquals(List.of(Action.STARTED), ticker.tick().stream().map(WarmingDecision::action).toList());
        assertThrows(ConflictException.class, () -> overrides.resume("p1", "key-aaaaaaaaaaaa"), "not paused");
        PlanState paused = overrides.pause("p1", "key-aaaaaaaaaaaa");
        assertEquals(PlanStatus.OPERATOR_PAUSED, paused.status());
        WarmingDecision d = paused.decisions().get(paused.decisions().size() - 1);
        assertEquals("key-aaaaaaaaaaaa", d.by());
        assertEquals(DAY1, d.at());
        for (int h = 1; h <= 72; h++) {
            clock.set(DAY1.plusSeconds(h * 3600L));
            assertEquals(List.of(), ticker.tick());
        }
        assertEquals(PlanStatus.OPERATOR_PAUSED, store.find("p1").orElseThrow().status());
        assertEquals(1, store.find("p1").orElseThrow().day());
        PlanState resumed = overrides.resume("p1", "key-bbbbbbbbbbbb");
        assertEquals(PlanStatus.WARMING, resumed.status());
        assertEquals(Action.OPERATOR_RESUMED, resumed.decisions().get(resumed.decisions().size() - 1).action());
        clock.set(DAY1.plusSeconds(4 * 86400L));
        assertEquals(List.of(Action.ADVANCED), ticker.tick().stream().map(WarmingDecision::action).toList());
        assertThrows(dev.dispatch.domain.NotFoundException.class, () -> overrides.pause("nope", "key-x"));
    }

    /** A clock the test moves. */
    static final class MutableClock extends Clock {
        private volatile Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void set(Instant next) {
            now = next;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
