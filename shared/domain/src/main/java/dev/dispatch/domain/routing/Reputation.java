package dev.dispatch.domain.routing;

import dev.dispatch.domain.engagement.DeliveryStats;
import java.util.List;

/**
 * A provider's sending reputation, 0 to 100, from its last days' statistics (what engagement tracking records per
 * provider and day): {@code 80 - 400 x bounceRate - 20000 x complaintRate + 50 x openRate}, clamped. So 2 % bounces
 * cost 8 points, 0.1 % complaints 20, and a 20 % open rate earns 10. Below {@link #MIN_SENT} messages the figures say
 * little, and the score is a neutral {@link #NEUTRAL}.
 */
public record Reputation(double score, long sent, long delivered, long bounced, long complained, long opened,
        double bounceRate, double complaintRate, double openRate, boolean neutral) {
    public static final int DAYS = 7;
    public static final long MIN_SENT = 50;
    public static final double NEUTRAL = 50;

    public static Reputation of(String provider, List<DeliveryStats.Day> days) {
        long sent = 0;
        long delivered = 0;
        long bounced = 0;
        long complained = 0;
        long opened = 0;
        for (DeliveryStats.Day d : days) {
            if (!d.provider().equals(provider)) {
                continue;
            }
            sent += d.count("sent");
            delivered += d.count("delivered");
            bounced += d.count("bounced") + d.count("softBounced");
            complained += d.count("complained");
            opened += d.count("opened");
        }
        // Without delivery reports (SES without a configuration set), sent minus bounced stands in for delivered.
        long base = delivered > 0 ? delivered : Math.max(0, sent - bounced);
        double bounceRate = sent == 0 ? 0 : (double) bounced / sent;
        double complaintRate = base == 0 ? 0 : (double) complained / base;
        double openRate = base == 0 ? 0 : Math.min(1.0, (double) opened / base);
        if (sent < MIN_SENT) {
            return new Reputation(NEUTRAL, sent, delivered, bounced, complained, opened, bounceRate, complaintRate, openRate, true);
        }
        double score = 80 - 400 * bounceRate - 20000 * complaintRate + 50 * openRate;
        score = Math.max(0, Math.min(100, score));
        return new Reputation(Math.round(score * 10) / 10.0, sent, delivered, bounced, complained, opened, bounceRate,
                complaintRate, openRate, false);
    }
}
