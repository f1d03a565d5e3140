package dev.dispatch.domain.analytics;

import dev.dispatch.domain.engagement.HistoryPage;
import dev.dispatch.domain.engagement.SubscriberEngagement;
import dev.dispatch.domain.subscriber.Subscriber;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** How a subscriber's engagement and event history are shown. */
public final class EngagementViews {

    private EngagementViews() {}

    /**
     * The score as of {@code now}: the stored score is as of the last open or click and only decays from there, so
     * it is brought to the time of reading. Three decimals are plenty for a score whose unit is one open.
     */
    public static double score(SubscriberEngagement engagement, Instant now) {
        return Math.round(engagement.scoreAt(now) * 1000) / 1000.0;
    }

    /** The stage counts from when the subscriber joined when there is a profile, else from the first event seen. */
    public static String stage(SubscriberEngagement engagement, Subscriber profile, Instant now) {
        return engagement.stage(profile == null ? null : profile.createdAt(), now).wireName();
    }

    /** The full engagement block of the history view. */
    public static Map<String, Object> engagement(SubscriberEngagement engagement, Subscriber profile, Instant now) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("score", score(engagement, now));
        body.put("stage", stage(engagement, profile, now));
        body.put("lastActivityAt", engagement.lastActivityAt());
        body.put("softBounceStreak", engagement.softBounceStreak());
        body.put("opens", engagement.opens());
        body.put("clicks", engagement.clicks());
        return body;
    }

    /** GET /analytics/subscriber/{id}/history. */
    public static Map<String, Object> history(String email, Subscriber profile, SubscriberEngagement engagement, HistoryPage page,
            Instant now) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("email", email);
        body.put("engagement", engagement(engagement, profile, now));
        body.put("status", profile == null ? null : profile.status().wireName());
        body.put("events", page.events().stream().map(EngagementViews::event).toList());
        body.put("nextCursor", page.nextCursor());
        return body;
    }

    /** One history entry; the type in the wire form callers send (soft_bounced). */
    public static Map<String, Object> event(HistoryPage.Entry e) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("occurredAt", e.occurredAt());
        body.put("type", e.type() == null ? null : e.type().toLowerCase(Locale.ROOT));
        body.put("provider", e.provider());
        body.put("campaignId", e.campaignId());
        body.put("variant", e.variant());
        body.put("url", e.url());
        body.put("detail", e.detail());
        body.put("providerType", e.providerType());
        // false while the event is queued or being applied (or failed and waits for its retry)
        body.put("applied", e.applied());
        return body;
    }
}
