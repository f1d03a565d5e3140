package dev.dispatch.api;

import dev.dispatch.domain.analytics.EngagementViews;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.dispatch.domain.engagement.SubscriberEngagement;
import dev.dispatch.domain.subscriber.Subscriber;
import java.time.Instant;
import java.util.List;
import java.util.Map;

@JsonInclude(JsonInclude.Include.NON_NULL)
public record SubscriberView(
        String email,
        String firstName,
        String lastName,
        Map<String, Object> attributes,
        List<String> segments,
        String status,
        double engagementScore,
        String timeZone,
        String source,
        Instant createdAt,
        Instant updatedAt,
        Instant suppressedAt,
        Engagement engagement,
        /** Segments waiting for their double opt-in confirmation (open requests only). */
        List<Pending> pending,
        /** Consent records, oldest first (shown on a single subscriber only). */
        List<Map<String, Object>> consents) {

    public record Pending(String segment, Instant requestedAt, Instant expiresAt) {}

    /** Engagement from recorded events; shown on a single subscriber only (a list would cost a read per row). */
    public record Engagement(double score, String stage, Instant lastActivityAt) {}

    static SubscriberView of(Subscriber s) {
        return new SubscriberView(s.email().value(), s.firstName(), s.lastName(), s.attributes(), List.copyOf(s.segments()),
                s.status().wireName(), s.engagementScore(), s.timeZone(), s.source(), s.createdAt(), s.updatedAt(),
                s.suppression() == null ? null : s.suppression().since(), null, null, null);
    }

    static SubscriberView withConsent(SubscriberView view, Subscriber s, Instant now) {
        List<Pending> pending = s.optIns().open(now).values().stream()
                .map(p -> new Pending(p.segment(), p.requestedAt(), p.expiresAt())).toList();
        List<Map<String, Object>> consents = s.optIns().consents().stream()
                .map(dev.dispatch.domain.privacy.DataRequests::consentMap).toList();
        return new SubscriberView(view.email, view.firstName, view.lastName, view.attributes, view.segments, view.status,
                view.engagementScore, view.timeZone, view.source, view.createdAt, view.updatedAt, view.suppressedAt,
                view.engagement, pending, consents);
    }

    static SubscriberView of(Subscriber s, SubscriberEngagement e, Instant now) {
        SubscriberView view = of(s);
        return new SubscriberView(view.email, view.firstName, view.lastName, view.attributes, view.segments, view.status,
                view.engagementScore, view.timeZone, view.source, view.createdAt, view.updatedAt, view.suppressedAt,
                new Engagement(EngagementViews.score(e, now), EngagementViews.stage(e, s, now), e.lastActivityAt()),
                null, null);
    }
}
