package dev.dispatch.domain.engagement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProviderCallStatsTest {
    private static final LocalDate DAY = LocalDate.of(2026, 11, 1);

    @Test
    void callsFallIntoTheirBucketWithInclusiveUpperBounds() {
        assertEquals(0, ProviderCallStats.bucketOf(0));
        assertEquals(0, ProviderCallStats.bucketOf(50));
        assertEquals(1, ProviderCallStats.bucketOf(51));
        assertEquals(7, ProviderCallStats.bucketOf(10_000));
        assertEquals(8, ProviderCallStats.bucketOf(10_001));
        assertEquals(List.of("callLe50", "callLe100", "callLe250", "callLe500", "callLe1000", "callLe2500", "callLe5000",
                "callLe10000", "callOver10000"), ProviderCallStats.BUCKETS);
    }

    @Test
    void aBatchFoldsItsCallsAndFailoversIntoOneSetOfCountersPerProviderAndDrainsOnce() {
        ProviderCallStats stats = new ProviderCallStats();
        stats.call("ses", Duration.ofMillis(40));
        stats.call("ses", Duration.ofMillis(120));
        stats.call("postmark", Duration.ofMillis(12_000));
        stats.failover("postmark");
        stats.failover("postmark");
        Map<String, Map<String, Long>> drained = stats.drain();
        assertEquals(Map.of("callCount", 2L, "callMsSum", 160L, "callLe50", 1L, "callLe250", 1L), drained.get("ses"));
        assertEquals(Map.of("callCount", 1L, "callMsSum", 12_000L, "callOver10000", 1L, "failovers", 2L), drained.get("postmark"));
        assertEquals(Map.of(), stats.drain(), "each figure is written once");
    }

    @Test
    void percentilesAreInterpolatedWithinTheirBucketAndTheMeanIsExact() {
        // 100 calls: 50 in 0-50 ms, 40 in 100-250 ms, 10 in 250-500 ms; 9,000 ms in total.
        Map<String, Long> counts = new HashMap<>(Map.of("callCount", 100L, "callMsSum", 9_000L, "callLe50", 50L,
                "callLe250", 40L, "callLe500", 10L));
        ProviderCallStats.Latency latency = ProviderCallStats.summarize(counts);
        assertEquals(100, latency.calls());
        assertEquals(90.0, latency.meanMs());
        assertEquals(50.0, latency.p50Ms(), "rank 50 is the last of the first bucket: its upper bound");
        // rank 95 is the 5th of 10 in 250-500: 250 + 250 x 5/10
        assertEquals(375.0, latency.p95Ms());
        assertEquals(9, latency.buckets().size());
        assertEquals(40L, latency.buckets().get("callLe250"));
    }

    @Test
    void theOpenEndedBucketGivesItsLowerBoundAndNoCallsGiveNoFigures() {
        ProviderCallStats.Latency slow = ProviderCallStats.summarize(Map.of("callCount", 2L, "callMsSum", 30_000L,
                "callOver10000", 2L));
        assertEquals(10_000.0, slow.p50Ms());
        assertEquals(10_000.0, slow.p95Ms());
        assertEquals(15_000.0, slow.meanMs());
        ProviderCallStats.Latency none = ProviderCallStats.summarize(Map.of());
        assertEquals(0, none.calls());
        assertNull(none.meanMs());
        assertNull(none.p50Ms());
    }

    @Test
    void dailyItemsAddUpOverAPeriodAndFailoversAreListedPerDay() {
        List<DeliveryStats.Day> days = List.of(
                new DeliveryStats.Day(DAY, "postmark", Map.of("callCount", 3L, "callMsSum", 300L, "callLe100", 3L, "failovers", 5L)),
                new DeliveryStats.Day(DAY.plusDays(2), "postmark", Map.of("callCount", 1L, "callMsSum", 900L, "callLe1000", 1L,
                        "failovers", 1L)),
                new DeliveryStats.Day(DAY, "ses", Map.of("callCount", 7L, "failovers", 9L)));
        Map<String, Long> postmark = ProviderCallStats.sum(days, "postmark");
        assertEquals(4L, postmark.get("callCount"));
        assertEquals(1200L, postmark.get("callMsSum"));
        assertEquals(6L, postmark.get("failovers"));
        ProviderCallStats.Latency latency = ProviderCallStats.summarize(postmark);
        assertEquals(300.0, latency.meanMs());
        // ranks 2 and 3.8 of 4: inside 50-100 (3 calls), then inside 500-1000 (1 call)
        assertEquals(50 + 50 * 2 / 3.0, latency.p50Ms(), 0.05);
        assertEquals(500 + 500 * 0.8, latency.p95Ms(), 0.05);
        Map<LocalDate, Long> byDay = ProviderCallStats.failoversByDay(days, "postmark", DAY, DAY.plusDays(2));
        assertEquals(List.of(5L, 0L, 1L), List.copyOf(byDay.values()));
    }
}
