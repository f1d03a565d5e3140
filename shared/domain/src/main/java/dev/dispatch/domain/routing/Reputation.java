package dev.dispatch.domain.routing;

import dev.dispatch.domain.engagement.DeliveryStats;
import dev.dispatch.domain.engagement.RecipientDomains;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A provider's sending reputation, 0 to 100, from its last days' statistics (what engagement tracking records per
 * provider and day): {@code 80 - 400 x bounceRate - 20000 x complaintRate + 50 x openRate}, clamped. So 2 % bounces
 * cost 8 points, 0.1 % complaints 20, and a 20 % open rate earns 10. Below {@link #MIN_SENT} messages the figures say
 * little, and the score is a neutral {@link #NEUTRAL}. The same formula over the per-recipient-domain counters gives a
 * provider's reputation at one mailbox operator ({@link #at}, {@link #byDomain}).
 */
public record Reputation(double score, long sent, long delivered, long bounced, long complained, long opened,
        double bounceRate, double complaintRate, double openRate, boolean neutral) {
    public static final int DAYS = 7;
    public static final long MIN_SENT = 50;
    public static final double NEUTRAL = 50;

    /**
     * Sends a provider needs to one recipient domain group in the window before its score there replaces its
     * provider-wide one: fewer say too little (two bounces in 40 sends would read as a 5 % bounce rate), and a
     * provider's overall record is then the better guess.
     */
    public static final long MIN_DOMAIN_SENT = 100;

    public static Reputation of(String provider, List<DeliveryStats.Day> days) {
        return of(provider, null, days, MIN_SENT);
    }

    /**
     * The provider's reputation at one recipient domain group ({@link dev.dispatch.domain.engagement.RecipientDomains}),
     * from the per-domain counters of the same days; neutral below {@link #MIN_DOMAIN_SENT} sends there.
     */
    public static Reputation at(String provider, String group, List<DeliveryStats.Day> days) {
        return of(provider, group, days, MIN_DOMAIN_SENT);
    }

    /**
     * The provider's reputation at each known recipient domain group where it sent at least
     * {@link #MIN_DOMAIN_SENT} in {@code days}, by group (sorted); the catch-all {@link RecipientDomains#OTHER} has none
     * (it mixes unrelated domains).
     */
    public static Map<String, Reputation> byDomain(String provider, List<DeliveryStats.Day> days) {
        Set<String> groups = new TreeSet<>();
        days.stream().filter(d -> d.provider().equals(provider)).forEach(d -> groups.addAll(d.domains().keySet()));
        Map<String, Reputation> out = new TreeMap<>();
        for (String group : groups) {
            if (RecipientDomains.known(group)) {
                Reputation r = at(provider, group, days);
                if (!r.neutral()) {
                    out.put(group, r);
                }
            }
        }
        return out;
    }

    private static Reputation of(String provider, String group, List<DeliveryStats.Day> days, long minSent) {
        long sent = 0;
        long delivered = 0;
        long bounced = 0;
        long complained = 0;
        long opened = 0;
        for (DeliveryStats.Day d : days) {
            if (!d.provider().equals(provider)) {
                continue;
            }
            if (group == null) {
                sent += d.count("sent");
                delivered += d.count("delivered");
                bounced += d.count("bounced") + d.count("softBounced");
                complained += d.count("complained");
                opened += d.count("opened");
            } else {
                sent += d.count(group, "sent");
                delivered += d.count(group, "delivered");
                bounced += d.count(group, "bounced") + d.count(group, "softBounced");
                complained += d.count(group, "complained");
                opened += d.count(group, "opened");
            }
        }
        // Without delivery reports (SES without a configuration set), sent minus bounced stands in for delivered.
        long base = delivered > 0 ? delivered : Math.max(0, sent - bounced);
        double bounceRate = sent == 0 ? 0 : (double) bounced / sent;
        double complaintRate = base == 0 ? 0 : (double) complained / base;
        double openRate = base == 0 ? 0 : Math.min(1.0, (double) opened / base);
        if (sent < minSent) {
            return new Reputation(NEUTRAL, sent, delivered, bounced, complained, opened, bounceRate, complaintRate, openRate, true);
        }
        double score = 80 - 400 * bounceRate - 20000 * complaintRate + 50 * openRate;
        score = Math.max(0, Math.min(100, score));
        return new Reputation(Math.round(score * 10) / 10.0, sent, delivered, bounced, complained, opened, bounceRate,
                complaintRate, openRate, false);
    }
}
