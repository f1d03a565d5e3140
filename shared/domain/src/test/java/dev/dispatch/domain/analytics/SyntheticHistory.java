package dev.dispatch.domain.analytics;

import dev.dispatch.domain.engagement.EngagementEvent;
import dev.dispatch.domain.engagement.EngagementType;
import dev.dispatch.domain.engagement.SubscriberEngagement;
import dev.dispatch.domain.subscriber.EmailAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A sender's history with a known truth: each subscriber opens on a day with its own probability (clicks on a third
 * of its opens); a churner's probability falls to zero over 15 to 60 days from a start anywhere from 120 days before
 * {@link #NOW} to 30 days after it (so some churners show nothing yet); a stayer keeps its pace, with noise. Events go
 * through {@link SubscriberEngagement#apply}, so the features come from exactly the state the platform stores.
 */
final class SyntheticHistory {
    static final Instant NOW = Instant.parse("2026-06-30T12:00:00Z");
    static final int DAYS = 240;

    record Subscriber(SubscriberEngagement state, boolean churns) {
    }

    private SyntheticHistory() {
    }

    static List<Subscriber> generate(long seed, int count, double churnShare) {
        SplittableRandom random = new SplittableRandom(seed);
        List<Subscriber> out = new ArrayList<>(count);
        Instant start = NOW.minus(Duration.ofDays(DAYS));
        for (int i = 0; i < count; i++) {
            EmailAddress email = EmailAddress.parse("s" + i + "@synthetic.example.com");
            int joined = random.nextInt(DAYS - 14);
            double pace = 0.01 + 0.25 * Math.pow(random.nextDouble(), 2);
            boolean churns = random.nextDouble() < churnShare;
            int churnStart = DAYS - 120 + random.nextInt(150);
            int churnLength = 15 + random.nextInt(46);
            SubscriberEngagement state = SubscriberEngagement.none(email);
            // the first delivery marks when the subscriber was first seen
            state = state.apply(event(email, EngagementType.DELIVERED, start.plus(Duration.ofDays(joined)), i, -1), "d" + i);
            for (int day = joined; day < DAYS; day++) {
                double p = pace * (0.7 + 0.6 * random.nextDouble());
                if (churns && day >= churnStart) {
                    p *= Math.max(0, 1 - (day - churnStart) / (double) churnLength);
                }
                if (random.nextDouble() < p) {
                    Instant at = start.plus(Duration.ofDays(day)).plusSeconds(random.nextInt(86_400));
                    state = state.apply(event(email, EngagementType.OPENED, at, i, day), "o" + i + "-" + day);
                    if (random.nextDouble() < 1 / 3.0) {
                        state = state.apply(event(email, EngagementType.CLICKED, at.plusSeconds(30), i, day), "c" + i + "-" + day);
                    }
                }
            }
            out.add(new Subscriber(state, churns));
        }
        return out;
    }

    private static EngagementEvent event(EmailAddress email, EngagementType type, Instant at, int subscriber, int day) {
        return EngagementEvent.builder("synthetic", type.name() + "-" + subscriber + "-" + day, type, email, at).build();
    }
}
