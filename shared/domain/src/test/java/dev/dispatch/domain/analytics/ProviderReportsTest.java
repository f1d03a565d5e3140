package dev.dispatch.domain.analytics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dispatch.domain.InvalidInputException;
import dev.dispatch.domain.engagement.DeliveryStats;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProviderReportsTest {
    private static final LocalDate DAY = LocalDate.of(2026, 11, 1);
    private static final DeliveryTrends.Period WEEK = new DeliveryTrends.Period(DAY, DAY.plusDays(6));

    @Test
    void pricesAreParsedAndBadEntriesNamed() {
        ProviderPrices prices = ProviderPrices.parse(" ses=0.10, postmark=1.2 ", "REPORT_PROVIDER_PRICES");
        assertEquals(Map.of("ses", 0.10, "postmark", 1.2), prices.perThousand());
        assertEquals(0.25, prices.cost("ses", 2500), 1e-12);
        assertNull(prices.cost("sendgrid", 2500));
        assertEquals(Map.of(), ProviderPrices.parse("", "X").perThousand());
        for (String bad : List.of("ses", "ses=cheap", "ses=-1", "ses=0.1,ses=0.2", "S E S=1", "ses=NaN")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ProviderPrices.parse(bad, "REPORT_PROVIDER_PRICES"));
            assertTrue(e.getMessage().startsWith("REPORT_PROVIDER_PRICES: "), e.getMessage());
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void providersAreComparedOverThePeriodOnly() {
        List<DeliveryStats.Day> stats = List.of(
                new DeliveryStats.Day(DAY, "ses", Map.of("sent", 3000L, "delivered", 2970L, "bounced", 30L, "complained", 3L)),
                new DeliveryStats.Day(DAY.plusDays(1), "ses", Map.of("sent", 1000L, "delivered", 1000L)),
                new DeliveryStats.Day(DAY, "postmark", Map.of("sent", 1000L, "delivered", 990L, "opened", 300L)),
                new DeliveryStats.Day(DAY.plusDays(7), "postmark", Map.of("sent", 99999L))); // outside the period
        Map<String, Object> report = ProviderComparison.build(WEEK, stats, ProviderPrices.parse("ses=0.10", "X"));
        List<Map<String, Object>> rows = (List<Map<String, Object>>) report.get("providers");
        assertEquals(5000L, report.get("sent"));
        Map<String, Object> postmark = rows.get(0);
        Map<String, Object> ses = rows.get(1);
        assertEquals("postmark", postmark.get("provider"));
        assertEquals(1000L, postmark.get("sent"));
        assertNull(postmark.get("estimatedCost"));
        assertEquals(0.3 / 0.99, ((Map<String, Double>) postmark.get("rates")).get("openRate"), 1e-12);
        assertEquals(0.8, ses.get("share"));
        assertEquals(0.4, (Double) ses.get("estimatedCost"), 1e-12);
        assertEquals(30.0 / 4000, ((Map<String, Double>) ses.get("rates")).get("bounceRate"), 1e-12);
        // the selector's formula over the period: 80 - 400 x 30/4000 - 20000 x 3/3970 + 50 x 0 = 61.9
        assertEquals(Map.of("score", 61.9, "neutral", false), ses.get("reputation"));
        // 80 + 50 x 300/990 = 95.2; the 99,999 sent outside the period would not change it, but are not counted
        assertEquals(Map.of("score", 95.2, "neutral", false), postmark.get("reputation"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void latencyAndFailoversComeFromTheSameDailyItemsOverThePeriod() {
        List<DeliveryStats.Day> stats = List.of(
                new DeliveryStats.Day(DAY, "postmark", Map.of("sent", 10L, "callCount", 2L, "callMsSum", 180L,
                        "callLe100", 2L, "failovers", 4L)),
                new DeliveryStats.Day(DAY.plusDays(3), "postmark", Map.of("sent", 5L, "callCount", 2L, "callMsSum", 1_400L,
                        "callLe1000", 2L, "failovers", 1L)),
                new DeliveryStats.Day(DAY.plusDays(8), "postmark", Map.of("callCount", 50L, "failovers", 50L)), // outside
                new DeliveryStats.Day(DAY, "ses", Map.of("sent", 3L)));
        Map<String, Object> report = ProviderComparison.build(WEEK, stats, ProviderPrices.parse("", "X"));
        List<Map<String, Object>> rows = (List<Map<String, Object>>) report.get("providers");
        Map<String, Object> postmark = rows.get(0);
        Map<String, Object> latency = (Map<String, Object>) postmark.get("latency");
        assertEquals(4L, latency.get("calls"));
        assertEquals(395.0, latency.get("meanMs"));
        assertEquals(100.0, latency.get("p50Ms"), "rank 2 of 4: the top of the 50-100 ms bucket");
        assertEquals(950.0, latency.get("p95Ms"), "rank 3.8: 500 + 500 x 1.8/2");
        assertEquals(5L, postmark.get("failovers"));
        List<Map<String, Object>> byDay = (List<Map<String, Object>>) postmark.get("failoversByDay");
        assertEquals(7, byDay.size());
        assertEquals(Map.of("day", "2026-11-01", "failovers", 4L), byDay.get(0));
        assertEquals(Map.of("day", "2026-11-04", "failovers", 1L), byDay.get(3));
        Map<String, Object> ses = rows.get(1);
        assertEquals(0L, ((Map<String, Object>) ses.get("latency")).get("calls"));
        assertNull(((Map<String, Object>) ses.get("latency")).get("p95Ms"), "no calls: no latency figure");
        assertEquals(0L, ses.get("failovers"));
        assertEquals(ProviderCallStatsBounds.BOUNDS, report.get("latencyBucketsMs"));
    }

    /** The documented bucket bounds (ms), spelled out so a change to them is a visible change to the report. */
    private static final class ProviderCallStatsBounds {
        static final List<Long> BOUNDS = List.of(50L, 100L, 250L, 500L, 1000L, 2500L, 5000L, 10000L);
    }

    @Test
    @SuppressWarnings("unchecked")
    void trendsForecastASteadyRiseAndRefuseUnknownMetrics() {
        List<DeliveryStats.Day> stats = new java.util.ArrayList<>();
        for (int i = 0; i < 7; i++) {
            stats.add(new DeliveryStats.Day(DAY.plusDays(i), "ses", Map.of("sent", 100L + 10 * i, "delivered", 100L + 10 * i,
                    "opened", 20L + 2 * i)));
        }
        Map<String, Object> sent = TrendReport.build(WEEK, null, TrendReport.metric("sent"), stats);
        List<Map<String, Object>> forecast = (List<Map<String, Object>>) sent.get("forecast");
        assertEquals(7, forecast.size());
        assertEquals("2026-11-08", forecast.get(0).get("day"));
        assertEquals(170.0, (Double) forecast.get(0).get("value"), 1e-9);
        Map<String, Object> rate = TrendReport.build(WEEK, "ses", TrendReport.metric("openRate"), stats);
        assertEquals(0.2, (Double) ((List<Map<String, Object>>) rate.get("days")).get(3).get("value"), 1e-12);
        assertEquals(0.2, (Double) ((List<Map<String, Object>>) rate.get("forecast")).get(6).get("value"), 1e-9);
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> TrendReport.metric("revenue"));
        assertEquals("metric", e.field());
        assertEquals("sent", TrendReport.metric(null));
    }
}
