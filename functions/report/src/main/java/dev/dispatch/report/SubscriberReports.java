package dev.dispatch.report;

import dev.dispatch.domain.InvalidInputException;
import dev.dispatch.domain.NotFoundException;
import dev.dispatch.domain.analytics.ChurnModel;
import dev.dispatch.domain.analytics.ChurnReport;
import dev.dispatch.domain.analytics.DeliveryTrends;
import dev.dispatch.domain.analytics.LifecycleReport;
import dev.dispatch.domain.engagement.EngagementStates;
import dev.dispatch.domain.engagement.LifecycleStats;
import dev.dispatch.domain.engagement.SubscriberEngagement;
import dev.dispatch.domain.subscriber.EmailAddress;
import dev.dispatch.domain.subscriber.SegmentPage;
import dev.dispatch.domain.subscriber.Subscriber;
import dev.dispatch.domain.subscriber.SubscriberCounters;
import dev.dispatch.domain.subscriber.SubscriberRules;
import dev.dispatch.domain.subscriber.SubscriberStatus;
import dev.dispatch.domain.subscriber.SubscriberStore;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

/**
 * The subscriber reports: {@code lifecycle} (one Query of the lifecycle aggregate up to the period's end) and
 * {@code churn} (a segment's members, page by page: its cost grows with the segment, up to
 * {@link ChurnReport#MAX_MEMBERS}).
 */
@Singleton
public class SubscriberReports {
    private static final int PAGE = 500;

    private final LifecycleStats lifecycle;
    private final SubscriberStore subscribers;
    private final SubscriberCounters counters;
    private final EngagementStates engagement;

    public SubscriberReports(LifecycleStats lifecycle, SubscriberStore subscribers, SubscriberCounters counters,
            EngagementStates engagement) {
        this.lifecycle = lifecycle;
        this.subscribers = subscribers;
        this.counters = counters;
        this.engagement = engagement;
    }

    Map<String, Object> lifecycle(String from, String to, LocalDate today) {
        DeliveryTrends.Period period = DeliveryTrends.period(from, to, today);
        return LifecycleReport.build(period, lifecycle.upTo(period.to()), today);
    }

    /**
     * Reads: the subscriber counters (1 Query, to tell an unknown segment), then per 500 members 1 Query of the
     * membership index and BatchGetItem of their profiles, suppressions and engagement states (100 keys a call).
     */
    Map<String, Object> churn(String segmentName, String limitText, Instant now) {
        if (segmentName == null || segmentName.isBlank()) {
            throw new InvalidInputException("segment", "is required: ?segment=<segment name>");
        }
        String segment = SubscriberRules.segment("segment", segmentName);
        int limit = limit(limitText);
        Map<SubscriberStatus, Long> counts = counters.read().bySegment().get(segment);
        if (counts == null || counts.values().stream().mapToLong(Long::longValue).sum() <= 0) {
            throw new NotFoundException("segment: no subscriber is in segment " + segment);
        }
        ChurnReport report = new ChurnReport(segment, limit, ChurnModel.STANDARD, now);
        String cursor = null;
        int read = 0;
        do {
            SegmentPage page = subscribers.segmentPage(segment, cursor, PAGE);
            List<EmailAddress> active = page.subscribers().stream().filter(s -> s.suppression() == null)
                    .map(Subscriber::email).toList();
            Map<EmailAddress, SubscriberEngagement> states = active.isEmpty() ? Map.of() : engagement.states(active);
            for (Subscriber s : page.subscribers()) {
                if (s.suppression() != null) {
                    report.suppressed();
                } else {
                    report.offer(s.email(), s.createdAt(), states.get(s.email()));
                }
            }
            read += PAGE;
            cursor = page.nextCursor();
        } while (cursor != null && read < ChurnReport.MAX_MEMBERS);
        return report.build(cursor == null);
    }

    private static int limit(String text) {
        if (text == null || text.isBlank()) {
            return ChurnReport.DEFAULT_LIMIT;
        }
        try {
            int limit = Integer.parseInt(text.strip());
            if (limit >= 1 && limit <= ChurnReport.MAX_LIMIT) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new InvalidInputException("limit", "must be a whole number from 1 to " + ChurnReport.MAX_LIMIT);
    }
}
