package dev.dispatch.domain.engagement;

import dev.dispatch.domain.metrics.Measurements;
import dev.dispatch.domain.metrics.MetricNames;
import java.time.Duration;
import java.util.Collection;

/** What one engagement-queue message measured, for the operators' dashboard and the bounce and complaint alarms. */
public final class EngagementMetrics {
    private EngagementMetrics() {}

    /**
     * @param applied the events this message applied (duplicates left out)
     * @param queueLag how long the message waited in the queue before this attempt took it
     */
    public static Measurements applied(Collection<EngagementEvent> applied, Duration queueLag) {
        Measurements measured = new Measurements().duration(MetricNames.QUEUE_LAG, queueLag);
        for (EngagementEvent event : applied) {
            measured.count(MetricNames.EVENTS_APPLIED, event.provider(), 1);
            // Hard bounces only: the rate the providers judge a sender by (soft bounces are retried by them).
            if (event.type() == EngagementType.BOUNCED) {
                measured.count(MetricNames.BOUNCED, event.provider(), 1);
            } else if (event.type() == EngagementType.COMPLAINED) {
                measured.count(MetricNames.COMPLAINED, event.provider(), 1);
            }
        }
        return measured;
    }
}
