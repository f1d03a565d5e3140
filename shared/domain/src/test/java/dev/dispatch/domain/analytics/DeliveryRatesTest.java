package dev.dispatch.domain.analytics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.dispatch.domain.InvalidInputException;
import dev.dispatch.domain.engagement.DeliveryStats;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DeliveryRatesTest {

    @Test
    void campaignRatesUseUniqueOpensAndClicksOverDeliveries() {
        Map<String, Double> rates = DeliveryRates.campaign(Map.of("sent", 8L, "delivered", 6L, "opened", 9L,
                "uniqueOpened", 4L, "clicked", 5L, "uniqueClicked", 3L, "bounced", 1L, "softBounced", 1L,
                "complained", 1L, "unsubscribed", 2L));
        assertEquals(6.0 / 8, rates.get("deliveryRate"));
        assertEquals(4.0 / 6, rates.get("openRate"));
        assertEquals(3.0 / 6, rates.get("clickRate"));
        assertEquals(3.0 / 4, rates.get("clickToOpenRate"));
        assertEquals(2.0 / 8, rates.get("bounceRate"));
        assertEquals(1.0 / 6, rates.get("complaintRate"));
        assertEquals(2.0 / 6, rates.get("unsubscribeRate"));
    }

    @Test
    void aZeroBaseGivesZero() {
        DeliveryRates.campaign(Map.of("opened", 3L)).values().forEach(rate -> assertEquals(0.0, rate));
        // no delivery reported: sends that didn't bounce are the base of the engagement rates
        Map<String, Double> undelivered = DeliveryRates.campaign(Map.of("sent", 10L, "bounced", 2L, "uniqueOpened", 4L));
        assertEquals(0.0, undelivered.get("deliveryRate"));
        assertEquals(0.5, undelivered.get("openRate"));
        assertEquals(0.2, undelivered.get("bounceRate"));
        assertEquals(7, DeliveryRates.campaign(Map.of()).size());
        assertEquals(6, DeliveryRates.period(Map.of()).size());
    }

    @Test
    void variantCountersAreSplitByName() {
        Map<String, Map<String, Long>> split = CampaignVariantCounts.split(List.of("A", "B", "C"), Map.of(
                "sent", 5L, "variant.A.sent", 3L, "variant.B.sent", 2L, "variant.A.uniqueOpened", 1L, "variant.x.y.opened", 1L));
        assertEquals(List.of("A", "B", "C", "x.y"), List.copyOf(split.keySet()));
        assertEquals(Map.of("sent", 3L, "uniqueOpened", 1L), split.get("A"));
        assertEquals(Map.of("sent", 2L), split.get("B"));
        assertEquals(Map.of(), split.get("C"));
        assertEquals(Map.of("opened", 1L), split.get("x.y"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void trendsFillEveryDayAndSumByProvider() {
        LocalDate d1 = LocalDate.parse("2026-03-01");
        DeliveryTrends.Period period = DeliveryTrends.period("2026-02-28", "2026-03-02", d1);
        Map<String, Object> view = DeliveryTrends.view(period, null, List.of(
                new DeliveryStats.Day(d1, "ses", Map.of("sent", 10L, "errors", 1L, "deferred", 4L)),
                new DeliveryStats.Day(d1, "track", Map.of("delivered", 8L, "opened", 4L, "bounced", 1L)),
                new DeliveryStats.Day(d1.plusDays(1), "ses", Map.of("sent", 2L, "softBounced", 1L))));
        List<Map<String, Object>> days = (List<Map<String, Object>>) view.get("days");
        assertEquals(List.of("2026-02-28", "2026-03-01", "2026-03-02"), days.stream().map(d -> d.get("day")).toList());
        Map<String, Long> empty = (Map<String, Long>) days.get(0).get("counts");
        assertEquals(DeliveryTrends.COUNTS, List.copyOf(empty.keySet()));
        empty.values().forEach(n -> assertEquals(0L, n));
        Map<String, Object> first = days.get(1);
        assertEquals(10L, ((Map<String, Long>) first.get("counts")).get("sent"));
        assertEquals(0.8, ((Map<String, Double>) first.get("rates")).get("deliveryRate"));
        assertEquals(0.5, ((Map<String, Double>) first.get("rates")).get("openRate"));
        Map<String, Object> totals = (Map<String, Object>) view.get("totals");
        assertEquals(12L, ((Map<String, Long>) totals.get("counts")).get("sent"));
        assertEquals(2.0 / 12, ((Map<String, Double>) totals.get("rates")).get("bounceRate"));
        Map<String, Map<String, Object>> providers = (Map<String, Map<String, Object>>) view.get("providers");
        assertEquals(List.of("ses", "track"), List.copyOf(providers.keySet()));
        assertEquals(12L, ((Map<String, Long>) providers.get("ses").get("counts")).get("sent"));

        Map<String, Object> ses = DeliveryTrends.view(period, "ses", List.of(
                new DeliveryStats.Day(d1, "ses", Map.of("sent", 10L)), new DeliveryStats.Day(d1, "track", Map.of("delivered", 8L))));
        assertEquals(0L, ((Map<String, Long>) ((Map<String, Object>) ses.get("totals")).get("counts")).get("delivered"));
    }

    @Test
    void trendPeriodsDefaultToThirtyDaysAndAreBounded() {
        LocalDate today = LocalDate.parse("2026-03-01");
        assertEquals(new DeliveryTrends.Period(LocalDate.parse("2026-01-31"), today), DeliveryTrends.period(null, null, today));
        assertEquals("from", assertThrows(InvalidInputException.class, () -> DeliveryTrends.period("2026-03-02", "2026-03-01", today)).field());
        assertEquals("from", assertThrows(InvalidInputException.class, () -> DeliveryTrends.period("2025-01-01", "2026-01-02", today)).field());
        DeliveryTrends.period("2024-01-01", "2024-12-31", today); // a leap year: 366 days
        assertEquals("to", assertThrows(InvalidInputException.class, () -> DeliveryTrends.period(null, "March", today)).field());
        assertEquals("provider", assertThrows(InvalidInputException.class, () -> DeliveryTrends.provider("s e s")).field());
    }
}
