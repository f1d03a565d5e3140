package dev.dispatch.domain.analytics;

import dev.dispatch.domain.engagement.DeliveryStats;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The providers side by side over a period, from the provider daily statistics (one Query per period, whatever
 * the volume): volume, delivery, bounce, complaint, open and click rates ({@link DeliveryRates#period}) and the
 * estimated cost per 1,000 sent and in total from the configured prices.
 */
public final class ProviderComparison {

    private ProviderComparison() {}

    public static Map<String, Object> build(DeliveryTrends.Period period, List<DeliveryStats.Day> stats, ProviderPrices prices) {
        List<Map<String, Object>> rows = new ArrayList<>();
        long total = DeliveryTrends.byProvider(period, null, stats).values().stream().mapToLong(c -> c.get("sent")).sum();
        DeliveryTrends.byProvider(period, null, stats).forEach((provider, counts) -> {
            Map<String, Object> row = new LinkedHashMap<>();
            long sent = counts.get("sent");
            row.put("provider", provider);
            row.put("sent", sent);
            row.put("share", DeliveryRates.ratio(sent, total));
            row.put("counts", counts);
            row.put("rates", DeliveryRates.period(counts));
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
