package dev.dispatch.domain.analytics;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Rates from delivery counters, in one place so that campaign stats and trends divide the same way. Deliveries,
 * not sends, are the base of engagement rates (a bounced message could never be opened) - or, when no delivery was
 * reported at all, sends minus bounces; bounces are counted against sends. A rate whose base is 0 is 0, never NaN (JSON has no NaN).
 */
public final class DeliveryRates {

    private DeliveryRates() {}

    public static double ratio(long part, long whole) {
        return whole == 0 ? 0.0 : (double) part / whole;
    }

    /**
     * A campaign's rates: opens and clicks count each recipient once (the unique counters), so a subscriber who
     * opens five times doesn't make a campaign look five times as good.
     */
    public static Map<String, Double> campaign(Map<String, Long> counts) {
        long opened = count(counts, "uniqueOpened");
        long clicked = count(counts, "uniqueClicked");
        Map<String, Double> rates = common(counts, opened, clicked);
        rates.put("clickToOpenRate", ratio(clicked, opened));
        return rates;
    }

    /** A period's rates (trends): per-provider daily counters have totals only, so opens and clicks are totals. */
    public static Map<String, Double> period(Map<String, Long> counts) {
        return common(counts, count(counts, "opened"), count(counts, "clicked"));
    }

    /**
     * The base of open and click rates: the delivered messages or, when no delivery was reported at all (e.g. SES
     * without a configuration set publishing deliveries), the messages that didn't bounce - or an open would show as
     * a 0 % open rate. A/B tests judge on the same base.
     */
    public static long engagementBase(Map<String, Long> counts) {
        long delivered = count(counts, "delivered");
        if (delivered > 0) {
            return delivered;
        }
        return Math.max(0, count(counts, "sent") - count(counts, "bounced") - count(counts, "softBounced"));
    }

    private static Map<String, Double> common(Map<String, Long> counts, long opened, long clicked) {
        long sent = count(counts, "sent");
        long bounced = count(counts, "bounced") + count(counts, "softBounced");
        long delivered = engagementBase(counts);
        Map<String, Double> rates = new LinkedHashMap<>();
        rates.put("deliveryRate", ratio(count(counts, "delivered"), sent));
        rates.put("openRate", ratio(opened, delivered));
        rates.put("clickRate", ratio(clicked, delivered));
        rates.put("bounceRate", ratio(bounced, sent));
        rates.put("complaintRate", ratio(count(counts, "complained"), delivered));
        rates.put("unsubscribeRate", ratio(count(counts, "unsubscribed"), delivered));
        return rates;
    }

    private static long count(Map<String, Long> counts, String name) {
        Long value = counts.get(name);
        return value == null ? 0 : value;
    }
}
