package dev.dispatch.domain.engagement;

import java.time.Instant;
import java.util.List;

/** A page of one subscriber's events, newest first, and the cursor of the next page (null at the end). */
public record HistoryPage(List<Entry> events, String nextCursor) {

    public HistoryPage {
        events = List.copyOf(events);
    }

    /** One event as recorded (the provider's own identity is kept out: it can embed addresses). */
    public record Entry(Instant occurredAt, String type, String provider, String campaignId, String variant,
            String url, String detail, String providerType, boolean applied) {}
}
