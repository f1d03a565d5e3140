package dev.dispatch.domain.analytics;

import dev.dispatch.domain.engagement.DeliveryStats;
import dev.dispatch.domain.engagement.ProviderCallStats;
import dev.dispatch.domain.routing.Reputation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The providers side by side over a period, from the provider daily statistics (one Query per period, whatever
 * the volume): volume, delivery, bounce, complaint, open and click rates ({@link DeliveryRates#period}), the
 * reputation that provider selection's formula ({@link Reputation}) gives the period's figures, the estimated
 * cost per 1,000 sent and in total from the configured prices, the send-call latency (calls, mean, p50 and p95
 * estimated from the summed histogram, see {@link ProviderCallStats}) and the failovers away from the provider, in
 * total and per day. All of it comes from the same daily items, so the cost stays one Query per period.
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
            Map<String, Long> own = ProviderCallStats.sum(inPeriod, provider);
            ProviderCallStats.Latency latency = ProviderCallStats.summarize(own);
            Map<String, Object> latencyBody = new LinkedHashMap<>();
            latencyBody.put("calls", latency.calls());
            latencyBody.put("meanMs", latency.meanMs());
            latencyBody.put("p50Ms", latency.p50Ms());
            latencyBody.put("p95Ms", latency.p95Ms());
            latencyBody.put("buckets", latency.buckets());
            row.put("latency", latencyBody);
            row.put("failovers", own.getOrDefault(ProviderCallStats.FAILOVERS, 0L));
            row.put("failoversByDay", ProviderCallStats.failoversByDay(inPeriod, provider, period.from(), period.to())
                    .entrySet().stream().map(e -> Map.<String, Object>of("day", e.getKey().toString(), "failovers", e.getValue()))
                    .toList());
            rows.add(row);
        });
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("report", "providers");
        body.put("from", period.from().toString());
        body.put("to", period.to().toString());
        body.put("sent", total);
        body.put("providers", rows);
        body.put("latencyBucketsMs", ProviderCallStats.BOUNDS_MS); // the histogram's upper bounds, the last open-ended
        return body;
    }
}
