package dev.dispatch.domain.engagement;

import dev.dispatch.domain.subscriber.EmailAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One subscriber's engagement: a score where recent opens and clicks weigh more (it halves every
 * {@link #HALF_LIFE}), the last open or click, the soft bounces in a row, and the identities of the events applied
 * last (so that re-applying one after a crash changes nothing).
 *
 * @param score the score as of {@code scoreAt}
 * @param scoreAt the time the score was last brought to; null before the first scored event
 * @param firstSeenAt the earliest event seen for the address
 * @param lastActivityAt the latest open or click, or null
 * @param lastDeliveredAt the latest delivery, open or click (a sign the address accepts mail), or null
 * @param lastSoftBounceAt the latest soft bounce, or null
 * @param softBounceStreak soft bounces since the last sign of delivery
 * @param opens opens applied
 * @param clicks clicks applied
 * @param recentEvents the keys of the last {@link #RECENT_EVENTS} applied events, newest last
 * @param inLifecycle whether this subscriber's stage moves are in the lifecycle aggregate ({@link LifecycleMoves}):
 *     false for states saved before it was kept, which enter it with their next event
 * @param version the stored version, for optimistic concurrency (0 = not stored yet)
 */
public record SubscriberEngagement(
        EmailAddress email,
        double score,
        Instant scoreAt,
        Instant firstSeenAt,
        Instant lastActivityAt,
        Instant lastDeliveredAt,
        Instant lastSoftBounceAt,
        int softBounceStreak,
        long opens,
        long clicks,
        List<String> recentEvents,
        boolean inLifecycle,
        long version) {

    public static final Duration HALF_LIFE = Duration.ofDays(30);
    public static final double OPEN_WEIGHT = 1.0;
    public static final double CLICK_WEIGHT = 3.0;
    public static final int RECENT_EVENTS = 64;

    public SubscriberEngagement {
        Objects.requireNonNull(email, "email");
        recentEvents = List.copyOf(recentEvents == null ? List.of() : recentEvents);
    }

    public static SubscriberEngagement none(EmailAddress email) {
        return new SubscriberEngagement(email, 0, null, null, null, null, null, 0, 0, 0, List.of(), false, 0);
    }

    public boolean hasApplied(String eventKey) {
        return recentEvents.contains(eventKey);
    }

    /** The score decayed to {@code now} (never grown: a time before {@code scoreAt} gives the stored score). */
    public double scoreAt(Instant now) {
        if (scoreAt == null) {
            return 0;
        }
        return score * decay(scoreAt, now);
    }

    public LifecycleStage stage(Instant joinedAt, Instant now) {
        Instant since = joinedAt != null ? joinedAt : firstSeenAt;
        return LifecycleStage.of(since, lastActivityAt, now);
    }

    /**
     * This state with {@code event} applied. Events may arrive out of order: the score adds each event's weight
     * decayed from when it happened, and the streak only moves for events newer than the last opposite sign.
     */
    public SubscriberEngagement apply(EngagementEvent event, String eventKey) {
        Instant at = event.occurredAt();
        double nextScore = score;
        Instant nextScoreAt = scoreAt;
        double weight = switch (event.type()) {
            case OPENED -> OPEN_WEIGHT;
            case CLICKED -> CLICK_WEIGHT;
            default -> 0;
        };
        if (weight > 0) {
            if (scoreAt == null) {
                nextScore = weight;
                nextScoreAt = at;
            } else if (at.isAfter(scoreAt)) {
                nextScore = score * decay(scoreAt, at) + weight;
                nextScoreAt = at;
            } else {
                nextScore = score + weight * decay(at, scoreAt);
            }
        }
        boolean engaged = event.type() == EngagementType.OPENED || event.type() == EngagementType.CLICKED;
        boolean reached = engaged || event.type() == EngagementType.DELIVERED;
        Instant nextActivity = engaged ? latest(lastActivityAt, at) : lastActivityAt;
        Instant nextDelivered = reached ? latest(lastDeliveredAt, at) : lastDeliveredAt;
        Instant nextSoftBounce = lastSoftBounceAt;
        int streak = softBounceStreak;
        if (event.type() == EngagementType.SOFT_BOUNCED) {
            nextSoftBounce = latest(lastSoftBounceAt, at);
            if (lastDeliveredAt == null || at.isAfter(lastDeliveredAt)) {
                streak++;
            }
        } else if (reached && (lastSoftBounceAt == null || at.isAfter(lastSoftBounceAt))) {
            streak = 0;
        }
        List<String> recent = new ArrayList<>(recentEvents);
        recent.add(eventKey);
        if (recent.size() > RECENT_EVENTS) {
            recent = recent.subList(recent.size() - RECENT_EVENTS, recent.size());
        }
        return new SubscriberEngagement(email, nextScore, nextScoreAt, earliest(firstSeenAt, at), nextActivity,
                nextDelivered, nextSoftBounce, streak, opens + (event.type() == EngagementType.OPENED ? 1 : 0),
                clicks + (event.type() == EngagementType.CLICKED ? 1 : 0), recent, true, version);
    }

    private static double decay(Instant from, Instant to) {
        double elapsed = Duration.between(from, to).toMillis();
        if (elapsed <= 0) {
            return 1;
        }
        return Math.pow(0.5, elapsed / HALF_LIFE.toMillis());
    }

    private static Instant latest(Instant a, Instant b) {
        return a == null || b.isAfter(a) ? b : a;
    }

    private static Instant earliest(Instant a, Instant b) {
        return a == null || b.isBefore(a) ? b : a;
    }
}
