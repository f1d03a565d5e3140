package dev.dispatch.domain.analytics;

import dev.dispatch.domain.engagement.DeliveryStats;
import dev.dispatch.domain.routing.Reputation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The providers side by side over a period, from the provider daily statistics (one Query per period, whatever
 * the volume): volume, delivery, bounce, complaint, open and click rates ({@link DeliveryRates#period}), the
 * reputation that provider selection's formula ({@link Reputation}) gives the period's figures, and the estimated
 * cost per 1,000 sent and in total from the configured prices.
 */
public final class ProviderComparison {

    private ProviderComparison() {}

    public static Map<String, Object> build(DeliveryTrends.Period period, List<DeliveryStats.Day> stats, ProviderPrices prices) {
        List<Map<String, Object>> rows = new ArrayList<>();
        List<DeliveryStats.Day> inPeriod = stats.stream()
                .filter(d -> !d.day().isBefore(period.from()) && !d.day().isAfter(period.to())).toList();
        long total = DeliveryTrends.byProvider(period, null, stats).values().stream().mapToLong(c -> c.get("sent")).sum();
        DeliveryTrends.byProvider(period, null, stats).forEach((provider, counts) -> {
            Map<String, Object> row = new LinkedHashMap<>();
            long sent = counts.get("sent");
            row.put("provider", provider);
            row.put("sent", sent);
            row.put("share", DeliveryRates.ratio(sent, total));
            row.put("counts", counts);
            row.put("rates", DeliveryRates.period(counts));
            // The same score the selector ranks providers by (there over its last 7 days), here over the period;
            // neutral (50) below the selector's minimum volume, where the figures say little.
            Reputation reputation = Reputation.of(provider, inPeriod);
            row.put("reputation", Map.of("score", reputation.score(), "neutral", reputation.neutral()));
            row.put("pricePerThousand", prices.perThousand().get(provider));
            row.put("estimatedCost", prices.cost(provider, sent));
            rows.add(row);
        });
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("report", "providers");
        body.put("from", period.from().toString());
        body.put("to", period.to().toString());
        body.put("sent", total);
        body.put("providers", rows);
        return body;
    }
}
