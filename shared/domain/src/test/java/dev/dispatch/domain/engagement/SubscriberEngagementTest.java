package dev.dispatch.domain.engagement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dispatch.domain.subscriber.EmailAddress;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SubscriberEngagementTest {
    private static final EmailAddress ADA = EmailAddress.parse("ada@example.com");
    private static final Instant T0 = Instant.parse("2026-06-01T00:00:00Z");
    private int ids;

    private EngagementEvent event(EngagementType type, Instant at) {
        return EngagementEvent.builder("generic", "e" + ids++, type, ADA, at).build();
    }

    private SubscriberEngagement apply(SubscriberEngagement s, EngagementType type, Instant at) {
        EngagementEvent e = event(type, at);
        return s.apply(e, EngagementRecorder.eventKey(e));
    }

    @Test
    void clicksWeighMoreThanOpensAndTheScoreHalvesEveryThirtyDays() {
        SubscriberEngagement s = apply(SubscriberEngagement.none(ADA), EngagementType.OPENED, T0);
        s = apply(s, EngagementType.CLICKED, T0);
        assertEquals(4.0, s.scoreAt(T0), 1e-9);
        assertEquals(2.0, s.scoreAt(T0.plus(Duration.ofDays(30))), 1e-9);
        assertEquals(1.0, s.scoreAt(T0.plus(Duration.ofDays(60))), 1e-9);
        assertEquals(4.0, s.scoreAt(T0.minus(Duration.ofDays(1))), 1e-9, "never grows backwards in time");
    }

    @Test
    void anOldEventArrivingLateAddsItsDecayedWeight() {
        SubscriberEngagement inOrder = apply(apply(SubscriberEngagement.none(ADA), EngagementType.OPENED, T0),
                EngagementType.CLICKED, T0.plus(Duration.ofDays(30)));
        SubscriberEngagement reversed = apply(apply(SubscriberEngagement.none(ADA), EngagementType.CLICKED,
                T0.plus(Duration.ofDays(30))), EngagementType.OPENED, T0);
        Instant later = T0.plus(Duration.ofDays(45));
        assertEquals(inOrder.scoreAt(later), reversed.scoreAt(later), 1e-9);
        assertEquals(T0.plus(Duration.ofDays(30)), reversed.lastActivityAt());
        assertEquals(T0, reversed.firstSeenAt());
    }

    @Test
    void softBouncesCountInARowUntilASignOfDelivery() {
        SubscriberEngagement s = SubscriberEngagement.none(ADA);
        s = apply(s, EngagementType.SOFT_BOUNCED, T0);
        s = apply(s, EngagementType.SOFT_BOUNCED, T0.plusSeconds(60));
        assertEquals(2, s.softBounceStreak());
        s = apply(s, EngagementType.DELIVERED, T0.plusSeconds(120));
        assertEquals(0, s.softBounceStreak());
        s = apply(s, EngagementType.SOFT_BOUNCED, T0.plusSeconds(30)); // older than the delivery: not "in a row"
        assertEquals(0, s.softBounceStreak());
        s = apply(s, EngagementType.SOFT_BOUNCED, T0.plusSeconds(180));
        assertEquals(1, s.softBounceStreak());
        s = apply(s, EngagementType.OPENED, T0.plusSeconds(100)); // older than the last soft bounce: no reset
        assertEquals(1, s.softBounceStreak());
    }

    @Test
    void remembersTheLastEventsApplied() {
        SubscriberEngagement s = SubscriberEngagement.none(ADA);
        EngagementEvent first = event(EngagementType.OPENED, T0);
        s = s.apply(first, EngagementRecorder.eventKey(first));
        assertTrue(s.hasApplied(EngagementRecorder.eventKey(first)));
        for (int i = 0; i < SubscriberEngagement.RECENT_EVENTS; i++) {
            s = apply(s, EngagementType.DELIVERED, T0.plusSeconds(i));
        }
        assertEquals(SubscriberEngagement.RECENT_EVENTS, s.recentEvents().size());
        assertFalse(s.hasApplied(EngagementRecorder.eventKey(first)));
    }

    @Test
    void lifecycleStages() {
        Instant now = T0.plus(Duration.ofDays(200));
        assertEquals(LifecycleStage.NEW, LifecycleStage.of(now.minus(Duration.ofDays(3)), null, now));
        assertEquals(LifecycleStage.AT_RISK, LifecycleStage.of(now.minus(Duration.ofDays(40)), null, now));
        assertEquals(LifecycleStage.DORMANT, LifecycleStage.of(now.minus(Duration.ofDays(100)), null, now));
        assertEquals(LifecycleStage.ACTIVE, LifecycleStage.of(T0, now.minus(Duration.ofDays(29)), now));
        assertEquals(LifecycleStage.AT_RISK, LifecycleStage.of(T0, now.minus(Duration.ofDays(31)), now));
        assertEquals(LifecycleStage.DORMANT, LifecycleStage.of(T0, now.minus(Duration.ofDays(91)), now));
        assertEquals("at-risk", LifecycleStage.AT_RISK.wireName());
    }
}
