package dev.dispatch.domain.warming;

import java.time.Instant;
import java.util.Comparator;

/**
 * The order a warming plan's allowance is given out in: the most engaged first (highest engagement score, then the
 * most recent open or click), never-engaged subscribers last, ties by address so the order is stable across runs.
 *
 * @param key the subscriber's identity key
 * @param score the engagement score now (decayed)
 * @param lastActivityAt the latest open or click, or null if never
 */
public record EngagementRank(String key, double score, Instant lastActivityAt) {
    public static final Comparator<EngagementRank> MOST_ENGAGED_FIRST = Comparator
            .comparing((EngagementRank r) -> r.neverEngaged())
            .thenComparing(EngagementRank::score, Comparator.reverseOrder())
            .thenComparing(EngagementRank::lastActivityAt, Comparator.nullsLast(Comparator.reverseOrder()))
            .thenComparing(EngagementRank::key);

    /** The rank of a subscriber's engagement as of {@code now} (the score decayed to then). */
    public static EngagementRank of(dev.dispatch.domain.engagement.SubscriberEngagement engagement, Instant now) {
        return new EngagementRank(engagement.email().key(), engagement.scoreAt(now), engagement.lastActivityAt());
    }

    public boolean neverEngaged() {
        return lastActivityAt == null && score <= 0;
    }
}
