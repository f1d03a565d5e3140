package dev.dispatch.api;

import dev.dispatch.domain.campaign.AbTest;
import dev.dispatch.domain.campaign.CampaignContent;
import dev.dispatch.domain.campaign.CampaignDraft;
import dev.dispatch.domain.campaign.SendTime;
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
        List<String> providers,
        @Schema(description = "An A/B test that decides: the variants (2 to 6) go to samplePercent of the audience, split "
                + "by their percent; waitMinutes after the whole sample was sent, the variant ahead on metric (open, click or "
                + "clickToOpen) wins if every variant reached minSamplePerVariant (at least 30) and a two-proportion z-test "
                + "says so at confidence (default 0.95, Bonferroni-corrected across variants); the winner goes to everyone "
                + "else. No significant winner: fallback, a variant id (default: the first variant) or \"split\".")
        AbTestInput abTest,
        @Schema(description = "Send-time optimization: mode local sends at hour:minute in each recipient's own time zone "
                + "(the profile's timeZone, else inferred from their opens and clicks, else defaultZone); mode best sends at "
                + "each recipient's most engaged hour (else their domain's, else the campaign audience's, else hour). The "
                + "recipients go in waves, one per send instant, shown under sendTime.waves in the campaign and its stats.")
        SendTimeInput sendTime) {

    public record SendTimeInput(@Schema(example = "local") String mode, @Schema(example = "9") Integer hour,
            @Schema(example = "0") Integer minute, @Schema(example = "Europe/Paris") String defaultZone) {}

    public record VariantInput(String id, Integer percent, String subject, String html, String text) {}

    public record AbTestInput(@Schema(example = "20") Integer samplePercent, @Schema(example = "240") Integer waitMinutes,
            @Schema(example = "open") String metric, @Schema(example = "500") Integer minSamplePerVariant,
            @Schema(example = "0.95") Double confidence, @Schema(example = "A") String fallback) {}

    CampaignDraft draft() {
        List<Variant> variantList = variants == null ? null : variants.stream()
                .map(v -> new Variant(v.id(), v.percent() == null ? 0 : v.percent(), v.subject(), v.html(), v.text()))
                .toList();
        return new CampaignDraft(name, fromEmail, fromName, replyTo, new CampaignContent(subject, preheader, html, text),
                variantList, segments, excludedSegments, providers, abTest == null ? null
                        : new AbTest.Input(abTest.samplePercent(), abTest.waitMinutes(), abTest.metric(),
                                abTest.minSamplePerVariant(), abTest.confidence(), abTest.fallback()),
                sendTime == null ? null : new SendTime.Input(sendTime.mode(), sendTime.hour(), sendTime.minute(),
                        sendTime.defaultZone()));
    }
}
