package dev.dispatch.domain.engagement;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * Where a subscriber stands by engagement: NEW (joined recently, no open or click yet), ACTIVE (opened or clicked
 * within {@link #ACTIVE_WITHIN}), AT_RISK (last engaged, or joined without engaging, within {@link #DORMANT_AFTER}),
 * DORMANT (longer ago).
 */
public enum LifecycleStage {
    NEW,
    ACTIVE,
    AT_RISK,
    DORMANT;

    public static final Duration ACTIVE_WITHIN = Duration.ofDays(30);
    public static final Duration DORMANT_AFTER = Duration.ofDays(90);

    /**
     * @param since when the subscriber joined (or was first seen), or null if unknown
     * @param lastActivity the last open or click, or null if none
     */
    public static LifecycleStage of(Instant since, Instant lastActivity, Instant now) {
        if (lastActivity != null) {
            Duration quiet = Duration.between(lastActivity, now);
            if (quiet.compareTo(ACTIVE_WITHIN) <= 0) {
                return ACTIVE;
            }
            return quiet.compareTo(DORMANT_AFTER) <= 0 ? AT_RISK : DORMANT;
        }
        if (since == null) {
            return NEW;
        }
        Duration age = Duration.between(since, now);
        if (age.compareTo(ACTIVE_WITHIN) <= 0) {
            return NEW;
        }
        return age.compareTo(DORMANT_AFTER) <= 0 ? AT_RISK : DORMANT;
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
