package dev.dispatch.adapter.dynamodb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dispatch.TestStack;
import dev.dispatch.adapter.config.ConfigFiles;
import dev.dispatch.domain.warming.FeedbackFigures;
import dev.dispatch.domain.warming.PlanState;
import dev.dispatch.domain.warming.PlanStatus;
import dev.dispatch.domain.warming.SendingHours;
import dev.dispatch.domain.warming.WarmingAllowance;
import dev.dispatch.domain.warming.WarmingConfig;
import dev.dispatch.domain.warming.WarmingDecision;
import dev.dispatch.domain.warming.WarmingDecision.Action;
import dev.dispatch.domain.warming.WarmingPlan;
import dev.dispatch.domain.warming.WarmingThresholds;
import dev.dispatch.domain.warming.WarmingTicker;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Thirty simulated days of one warming plan on the real adapters against dynalite, with a clock the test moves an
 * hour at a time: warming-tick runs at every hour, a sender with an endless backlog takes whatever the plan
 * releases, and synthetic provider feedback lands in the provider daily statistics (clean days at 1 % bounces, a
 * bounce spike, a complaint spike, recovery). Daily volumes must follow the schedule, spread over the sending
 * hours, and the plan must pause at the thresholds and resume when the rates recover.
 */
class WarmingOnDynamoDbTest {
    private static final LocalDate START = LocalDate.parse("2031-03-01"); // far from any real date other tests use
    private static final int DAYS = 30;
    private static final int BOUNCE_SPIKE_DAY = 7;
    private static final int COMPLAINT_SPIKE_DAY = 16;
    private static DynamoDbClient dynamoDb;
    private static String control;
    private static String counters;

    @BeforeAll
    static void start() {
        dynamoDb = TestStack.aws().dynamoDb();
        control = TestStack.aws().resources().tableName("ControlTable");
        counters = TestStack.aws().resources().tableName("CountersTable");
    }

    private static WarmingConfig config(String planName) {
        WarmingConfig shipped = ConfigFiles.warming();
        WarmingPlan plan = new WarmingPlan(planName, "postmark", "postmark-broadcast",
                shipped.schedule("product-default").orElseThrow(), true, new SendingHours(8, 20), WarmingThresholds.DEFAULT,
                WarmingPlan.OnWarning.HOLD, WarmingPlan.OverAllowance.DEFER, 3);
        return WarmingConfig.of(List.of(plan.schedule()), List.of(plan), ConfigFiles.providers());
    }

    private static boolean spike(int simDay) {
        return simDay == BOUNCE_SPIKE_DAY || simDay == COMPLAINT_SPIKE_DAY;
    }

    /** Whole days paused: the two after each spike (the spike stays in the 3-day window). */
    private static boolean paused(int simDay) {
        return (simDay > BOUNCE_SPIKE_DAY && simDay < BOUNCE_SPIKE_DAY + 3)
                || (simDay > COMPLAINT_SPIKE_DAY && simDay < COMPLAINT_SPIKE_DAY + 3);
    }

    /** Bounce and complaint rates of the synthetic feedback on each simulated day. */
    private static double bounceRate(int simDay) {
        return simDay == BOUNCE_SPIKE_DAY ? 0.25 : 0.01;
    }

    private static double complaintRate(int simDay) {
        return simDay == COMPLAINT_SPIKE_DAY ? 0.01 : 0.0;
    }

    @Test
    void givenThirtyDaysWithABounceAndAComplaintSpike_thenVolumesFollowTheScheduleAndThePlanPausesAndResumesAtTheThresholds() {
        String planName = "w30-" + UUID.randomUUID().toString().substring(0, 8);
        WarmingConfig config = config(planName);
        WarmingPlan plan = config.plan(planName).orElseThrow();
        DynamoDbWarmingStore store = new DynamoDbWarmingStore(dynamoDb, control);
        DynamoDbDeliveryStats stats = new DynamoDbDeliveryStats(dynamoDb, counters);
        MovableClock clock = new MovableClock(START.atStartOfDay(ZoneOffset.UTC).toInstant());
        WarmingTicker ticker = new WarmingTicker(config, store, stats, clock);

        List<WarmingDecision> decisions = new ArrayList<>();
        long[] released = new long[DAYS];
        int[] planDay = new int[DAYS];
        Instant firstBounceOverPause = null;
        Instant firstComplaintOverPause = null;
        long worstHour = 0;
        for (int d = 0; d < DAYS; d++) {
            LocalDate date = START.plusDays(d);
            long bouncedSoFar = 0;
            long complainedSoFar = 0;
            for (int h = 0; h < 24; h++) {
                Instant now = date.atStartOfDay(ZoneOffset.UTC).toInstant().plus(Duration.ofHours(h));
                clock.set(now);
                // What the tick is about to see, to check it acts exactly at the thresholds.
                FeedbackFigures seen = ticker.figures(plan.provider(), date.minusDays(plan.windowDays() - 1L), date);
                PlanState before = store.find(planName).orElse(null);
                if (before != null && before.status() != PlanStatus.PAUSED && seen.sent() >= 50) {
                    if (firstBounceOverPause == null && seen.bounceRate() >= 0.05) {
                        firstBounceOverPause = now;
                    }
                    if (firstComplaintOverPause == null && seen.complaintRate() >= 0.001) {
                        firstComplaintOverPause = now;
                    }
                }
                decisions.addAll(ticker.tick());

                // The sender: an endless backlog takes what the plan has released by now.
                PlanState state = store.find(planName).orElseThrow();
                long allowance = WarmingAllowance.releasedBy(plan, state, now);
                long sent = store.reserve(planName, date, 1_000_000, allowance);
                if (h < plan.sendingHours().fromHour() || h > plan.sendingHours().toHour()) {
                    assertEquals(0, sent, "nothing outside the sending hours: " + now);
                }
                worstHour = Math.max(worstHour, sent * 1000 / Math.max(1, plan.dailyVolume(Math.min(state.day(), 30))));
                released[d] += sent;
                planDay[d] = state.day();
                // Synthetic feedback for what went out (whole bounces and complaints, from the day's running total).
                long bouncedNow = (long) Math.floor(released[d] * bounceRate(d));
                long complainedNow = (long) Math.floor(released[d] * complaintRate(d));
                if (sent > 0) {
                    stats.add(date, plan.provider(), Map.of("sent", sent, "bounced", bouncedNow - bouncedSoFar,
                            "complained", complainedNow - complainedSoFar));
                }
                bouncedSoFar = bouncedNow;
                complainedSoFar = complainedNow;
            }
        }

        // Pauses: exactly two, at the first tick whose window was at or over a pause level.
        List<WarmingDecision> pauses = decisions.stream().filter(x -> x.action() == Action.PAUSED).toList();
        assertEquals(2, pauses.size(), decisions.toString());
        assertEquals(firstBounceOverPause, pauses.get(0).at());
        assertEquals(START.plusDays(BOUNCE_SPIKE_DAY), LocalDate.ofInstant(pauses.get(0).at(), ZoneOffset.UTC));
        assertTrue(pauses.get(0).figures().get("bounceRate") >= 0.05, pauses.get(0).toString());
        assertTrue(pauses.get(0).reason().contains("bounce rate"), pauses.get(0).reason());
        assertEquals(firstComplaintOverPause, pauses.get(1).at());
        assertEquals(START.plusDays(COMPLAINT_SPIKE_DAY), LocalDate.ofInstant(pauses.get(1).at(), ZoneOffset.UTC));
        assertTrue(pauses.get(1).figures().get("complaintRate") >= 0.001, pauses.get(1).toString());
        assertTrue(pauses.get(1).reason().contains("complaint rate"), pauses.get(1).reason());

        // Between the warning and the pause level the plan held its day first (onWarning: hold).
        assertTrue(decisions.stream().anyMatch(x -> x.action() == Action.HELD && x.at().isBefore(pauses.get(0).at())
                && x.figures().get("bounceRate") >= 0.03 && x.figures().get("bounceRate") < 0.05), decisions.toString());

        // Resumes: once the spike's day has left the 3-day window, with the rates under the warning levels.
        List<WarmingDecision> resumes = decisions.stream().filter(x -> x.action() == Action.RESUMED).toList();
        assertEquals(2, resumes.size(), decisions.toString());
        assertEquals(START.plusDays(BOUNCE_SPIKE_DAY + 3).atStartOfDay(ZoneOffset.UTC).toInstant(), resumes.get(0).at());
        assertEquals(START.plusDays(COMPLAINT_SPIKE_DAY + 3).atStartOfDay(ZoneOffset.UTC).toInstant(), resumes.get(1).at());
        for (WarmingDecision r : resumes) {
            assertTrue(r.figures().get("bounceRate") < 0.03 && r.figures().get("complaintRate") < 0.0005, r.toString());
        }

        // Days: one more each UTC day after a day fully warming; none while paused or on the day it resumes.
        int[] expectedDay = new int[DAYS];
        int day = 1;
        for (int d = 0; d < DAYS; d++) {
            if (d > 0 && !paused(d) && !paused(d - 1) && !spike(d - 1)) {
                day++;
            }
            expectedDay[d] = day;
        }
        for (int d = 0; d < DAYS; d++) {
            assertEquals(expectedDay[d], planDay[d], "plan day on simulated day " + d);
            long volume = plan.dailyVolume(planDay[d]);
            if (paused(d)) {
                assertEquals(0, released[d], "paused: nothing released on day " + d);
            } else if (spike(d)) {
                assertTrue(released[d] > 0 && released[d] < volume, "paused part-way through day " + d + ": " + released[d]);
            } else {
                assertEquals(volume, released[d], "the schedule's volume on day " + d + " (plan day " + planDay[d] + ")");
            }
            assertEquals(released[d], store.used(planName, START.plusDays(d)), "usage counter of day " + d);
        }
        assertEquals(50, released[0], "day 1 of the product default");
        assertEquals(24, planDay[DAYS - 1], "30 days less 6 paused or re-done");
        // Spread: no hour got more than its twelfth of the day (in thousandths, rounding allowed).
        assertTrue(worstHour <= 1000 / 12 + 20, "largest hourly share " + worstHour + "/1000 of a day");
        assertTrue(decisions.stream().allMatch(x -> WarmingDecision.TICKER.equals(x.by())));
        assertEquals(Action.STARTED, decisions.get(0).action());
        PlanState last = store.find(planName).orElseThrow();
        assertTrue(last.decisions().size() <= PlanState.KEPT_DECISIONS);
        assertEquals(decisions.get(decisions.size() - 1), last.decisions().get(last.decisions().size() - 1),
                "decisions are stored with the state they led to");
    }

    @Test
    void givenManyReserversAtOnce_thenTheDaysAllowanceIsNeverExceeded() throws Exception {
        String planName = "wr-" + UUID.randomUUID().toString().substring(0, 8);
        DynamoDbWarmingStore store = new DynamoDbWarmingStore(dynamoDb, control);
        LocalDate day = START;
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Long>> grants = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                grants.add(pool.submit(() -> store.reserve(planName, day, 37, 500)));
            }
            long total = 0;
            for (Future<Long> g : grants) {
                total += g.get();
            }
            assertEquals(500, total, "40 x 37 asked, 500 allowed");
            assertEquals(500, store.used(planName, day));
            assertEquals(0, store.reserve(planName, day, 1, 500));
            assertEquals(100, store.reserve(planName, day, 100, 600), "a larger allowance later the same day releases more");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void givenTwoWritersOfOnePlan_thenOnlyOneVersionWins() {
        String planName = "wv-" + UUID.randomUUID().toString().substring(0, 8);
        DynamoDbWarmingStore store = new DynamoDbWarmingStore(dynamoDb, control);
        PlanState fresh = new PlanState(planName, PlanStatus.WARMING, 1, START, null, List.of(), 0);
        assertTrue(store.save(fresh));
        assertEquals(false, store.save(fresh), "a second first write loses");
        PlanState stored = store.find(planName).orElseThrow();
        assertEquals(1, stored.version());
        assertTrue(store.save(stored.with(PlanStatus.PAUSED, 1, START, null)));
        assertEquals(false, store.save(stored.with(PlanStatus.HOLDING, 1, START, null)), "a stale version loses");
        assertEquals(PlanStatus.PAUSED, store.find(planName).orElseThrow().status());
    }

    @Test
    void givenDuplicateTicksAtOnce_thenEachDecisionIsMadeOnce() throws Exception {
        String planName = "wd-" + UUID.randomUUID().toString().substring(0, 8);
        WarmingConfig config = config(planName);
        DynamoDbWarmingStore store = new DynamoDbWarmingStore(dynamoDb, control);
        DynamoDbDeliveryStats stats = new DynamoDbDeliveryStats(dynamoDb, counters);
        MovableClock clock = new MovableClock(START.minusDays(40).atStartOfDay(ZoneOffset.UTC).toInstant());
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            for (int day = 0; day < 3; day++) {
                clock.set(START.minusDays(40 - day).atStartOfDay(ZoneOffset.UTC).toInstant().plusSeconds(60));
                List<Future<List<WarmingDecision>>> ticks = new ArrayList<>();
                for (int i = 0; i < 6; i++) {
                    // six containers' tickers, as a schedule delivered more than once would run them
                    WarmingTicker ticker = new WarmingTicker(config, store, stats, clock);
                    ticks.add(pool.submit(ticker::tick));
                }
                List<WarmingDecision> made = new ArrayList<>();
                for (Future<List<WarmingDecision>> t : ticks) {
                    made.addAll(t.get());
                }
                assertEquals(List.of(day == 0 ? Action.STARTED : Action.ADVANCED),
                        made.stream().map(WarmingDecision::action).toList(), "day " + day);
            }
            PlanState state = store.find(planName).orElseThrow();
            assertEquals(3, state.day());
            assertEquals(3, state.decisions().size());
            assertEquals(3, state.version());
        } finally {
            pool.shutdownNow();
        }
    }

    /** A clock the test moves. */
    static final class MovableClock extends Clock {
        private volatile Instant now;

        MovableClock(Instant now) {
            this.now = now;
        }

        void set(Instant next) {
            now = next;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
