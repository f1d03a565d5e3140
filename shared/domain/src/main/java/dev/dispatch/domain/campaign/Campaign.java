package dev.dispatch.domain.campaign;

import java.time.Instant;
import java.util.List;

/** A campaign as stored. Built and validated by {@link CampaignDraft}; moved by {@link CampaignService}. */
public record Campaign(
        String id,
        String name,
        String fromEmail,
        String fromName,
        String replyTo,
        CampaignContent content,
        List<Variant> variants,
        List<String> segments,
        List<String> excludedSegments,
        List<String> providers,
        CampaignStatus status,
        Instant sendAt,
        Instant createdAt,
        Instant updatedAt,
        EnqueueProgress progress,
        /** An A/B test that sends the winner to the rest, or null (variants, if any, split the whole audience). */
        AbTest abTest,
        /** Send-time optimization (waves in each recipient's own time), or null: everyone at once. */
        SendTime sendTime) {

    /** A campaign without send-time optimization. */
    public Campaign(String id, String name, String fromEmail, String fromName, String replyTo, CampaignContent content,
            List<Variant> variants, List<String> segments, List<String> excludedSegments, List<String> providers,
            CampaignStatus status, Instant sendAt, Instant createdAt, Instant updatedAt, EnqueueProgress progress,
            AbTest abTest) {
        this(id, name, fromEmail, fromName, replyTo, content, variants, segments, excludedSegments, providers, status,
                sendAt, createdAt, updatedAt, progress, abTest, null);
    }

    /** A campaign without an A/B test that decides. */
    public Campaign(String id, String name, String fromEmail, String fromName, String replyTo, CampaignContent content,
            List<Variant> variants, List<String> segments, List<String> excludedSegments, List<String> providers,
            CampaignStatus status, Instant sendAt, Instant createdAt, Instant updatedAt, EnqueueProgress progress) {
        this(id, name, fromEmail, fromName, replyTo, content, variants, segments, excludedSegments, providers, status,
                sendAt, createdAt, updatedAt, progress, null, null);
    }

    public Campaign {
        variants = List.copyOf(variants);
        segments = List.copyOf(segments);
        excludedSegments = List.copyOf(excludedSegments);
        providers = List.copyOf(providers);
    }

    public Campaign with(CampaignStatus newStatus, Instant newSendAt, Instant now) {
        return new Campaign(id, name, fromEmail, fromName, replyTo, content, variants, segments, excludedSegments,
                providers, newStatus, newSendAt, createdAt, now, progress, abTest, sendTime);
    }

    /** The subject/html/text a recipient of {@code variantId} gets (variant overrides, else the campaign's). */
    public CampaignContent contentFor(String variantId) {
        if (variantId == null) {
            return content;
        }
        for (Variant v : variants) {
            if (v.id().equals(variantId)) {
                return new CampaignContent(
                        v.subject() != null ? v.subject() : content.subject(),
                        content.preheader(),
                        v.html() != null ? v.html() : content.html(),
                        v.text() != null ? v.text() : content.text());
            }
        }
        throw new IllegalArgumentException("no variant " + variantId);
    }
}
