package dev.dispatch.domain.warming;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The day's volume, spread over the sending hours so that nothing bursts; the schedules' shapes. */
class WarmingAllowanceTest {
    private static final WarmingSchedule SCHEDULE = WarmingSchedule.ramp("product-default", 50, 3000, 30);

    private static WarmingPlan plan(WarmingSchedule schedule) {
        return new WarmingPlan("p1", "ses", "ses-shared", schedule, true, new SendingHours(8, 20),
                WarmingThresholds.DEFAULT, WarmingPlan.OnWarning.HOLD, WarmingPlan.OverAllowance.DEFER, 3);
    }

    private static PlanState on(int day, PlanStatus status) {
        return new PlanState("p1", status, day, LocalDate.parse("2031-03-01"), null, List.of(), 1);
    }

    @Test
    void theProductDefaultRisesFrom50To3000Over30DaysEveryDayAbove() {
        assertEquals(30, SCHEDULE.days());
        assertEquals(50, SCHEDULE.dailyVolume(1, 12));
        assertEquals(3000, SCHEDULE.dailyVolume(30, 12));
        for (int d = 2; d <= 30; d++) {
            assertTrue(SCHEDULE.dailyVolume(d, 12) > SCHEDULE.dailyVolume(d - 1, 12), "day " + d);
        }
    }

    @Test
    void anHourlyTableTimesTheSendingHoursIsTheDay() {
        WarmingSchedule sendgrid = new WarmingSchedule("sendgrid-automated", WarmingSchedule.Unit.HOUR, List.of(20L, 28L));
        assertEquals(20 * 12, plan(sendgrid).dailyVolume(1));
        assertEquals(28 * 12, plan(sendgrid).dailyVolume(2));
    }

    @Test
    void theDayIsReleasedEvenlyOverTheSendingHoursNeverMoreInAnHourThanItsShare() {
        WarmingPlan plan = plan(SCHEDULE);
        PlanState day10 = on(10, PlanStatus.WARMING);
        long volume = plan.dailyVolume(10);
        assertEquals(0, WarmingAllowance.releasedBy(plan, day10, Instant.parse("2031-03-01T07:59:59Z")));
        assertEquals(volume / 2, WarmingAllowance.releasedBy(plan, day10, Instant.parse("2031-03-01T14:00:00Z")), 1);
        assertEquals(volume, WarmingAllowance.releasedBy(plan, day10, Instant.parse("2031-03-01T20:00:00Z")));
        assertEquals(volume, WarmingAllowance.releasedBy(plan, day10, Instant.parse("2031-03-01T23:59:00Z")));
        List<Long> hourly = new ArrayList<>();
        long before = 0;
        for (int h = 9; h <= 20; h++) {
            long now = WarmingAllowance.releasedBy(plan, day10, Instant.parse(String.format("2031-03-01T%02d:00:00Z", h)));
            hourly.add(now - before);
            before = now;
        }
        long share = (long) Math.ceil(volume / 12.0);
        assertTrue(hourly.stream().allMatch(n -> n <= share && n >= share - 1), hourly + " share " + share);
    }

    @Test
    void pausedPlansReleaseNothingAndWarmOnesAreUncapped() {
        WarmingPlan plan = plan(SCHEDULE);
        Instant evening = Instant.parse("2031-03-01T21:00:00Z");
        assertEquals(0, WarmingAllowance.releasedBy(plan, on(5, PlanStatus.PAUSED), evening));
        assertEquals(0, WarmingAllowance.releasedBy(plan, on(5, PlanStatus.OPERATOR_PAUSED), evening));
        assertEquals(WarmingAllowance.UNCAPPED, WarmingAllowance.releasedBy(plan, on(31, PlanStatus.WARM), evening));
        assertEquals(50, WarmingAllowance.releasedBy(plan, null, evening), "not ticked yet: day 1");
        assertEquals(plan.dailyVolume(5), WarmingAllowance.releasedBy(plan, on(5, PlanStatus.HOLDING), evening));
    }

    @Test
    void engagedSubscribersComeFirstAndTheNeverEngagedLast() {
        Instant now = Instant.parse("2031-03-01T10:00:00Z");
        List<EngagementRank> ranks = new ArrayList<>(List.of(
                new EngagementRank("never@x.org", 0, null),
                new EngagementRank("old@x.org", 0, now.minusSeconds(90L * 86400)),
                new EngagementRank("hot@x.org", 5.5, now.minusSeconds(3600)),
                new EngagementRank("warm@x.org", 1.2, now.minusSeconds(86400)),
                new EngagementRank("another-never@x.org", 0, null),
                new EngagementRank("warm-recent@x.org", 1.2, now.minusSeconds(60))));
        ranks.sort(EngagementRank.MOST_ENGAGED_FIRST);
        assertEquals(List.of("hot@x.org", "warm-recent@x.org", "warm@x.org", "old@x.org", "another-never@x.org", "never@x.org"),
                ranks.stream().map(EngagementRank::key).toList());
        EngagementRank none = EngagementRank.of(dev.dispatch.domain.engagement.SubscriberEngagement.none(
                new dev.dispatch.domain.subscriber.EmailAddress("Nobody@X.org")), now);
        assertTrue(none.neverEngaged(), none.toString());
        assertEquals("nobody@x.org", none.key());
    }
}
