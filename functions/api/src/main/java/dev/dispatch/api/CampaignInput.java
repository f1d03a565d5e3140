package dev.dispatch.api;

import dev.dispatch.domain.campaign.CampaignContent;
import dev.dispatch.domain.campaign.CampaignDraft;
import dev.dispatch.domain.campaign.Variant;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** The body of POST /campaigns. Templates use Handlebars: {{firstName}}, {{default firstName "there"}}, {{#if plan}}. */
@Schema(name = "CampaignInput")
public record CampaignInput(
        @Schema(example = "November newsletter") String name,
        @Schema(example = "news@example.com") String fromEmail,
        @Schema(example = "Example News") String fromName,
        String replyTo,
        @Schema(example = "Hello {{default firstName \"there\"}}") String subject,
        String preheader,
        @Schema(example = "<p>Hi {{default firstName \"there\"}}, ...</p><p><a href=\"{{unsubscribeUrl}}\">Unsubscribe</a></p>") String html,
        String text,
        @Schema(example = "[\"newsletter\"]") List<String> segments,
        List<String> excludedSegments,
        @Schema(description = "A/B test: two or more variants whose percent add up to 100; each may override subject, html, text")
        List<VariantInput> variants,
        @Schema(description = "Pinned providers (ses, sendgrid, postmark): selection per recipient works within this list, "
                + "domain rules and engagement tiers first, then this order. Absent or empty: every enabled provider, chosen per "
                + "recipient by delivery-rules.yaml (rules, tiers, weights) among the healthy ones", example = "[\"ses\", \"postmark\"]")
        List<String> providers) {

    public record VariantInput(String id, Integer percent, String subject, String html, String text) {}

    CampaignDraft draft() {
        List<Variant> variantList = variants == null ? null : variants.stream()
                .map(v -> new Variant(v.id(), v.percent() == null ? 0 : v.percent(), v.subject(), v.html(), v.text()))
                .toList();
        return new CampaignDraft(name, fromEmail, fromName, replyTo, new CampaignContent(subject, preheader, html, text),
                variantList, segments, excludedSegments, providers);
    }
}
