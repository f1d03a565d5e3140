package dev.dispatch.domain.content;

import dev.dispatch.domain.campaign.Campaign;
import dev.dispatch.domain.campaign.CampaignContent;
import dev.dispatch.domain.campaign.Variant;
import java.util.ArrayList;
import java.util.List;

/**
 * A campaign's content check: the campaign's own content and every A/B variant as its recipients get it. The
 * campaign scores as its worst variant (each variant's mail is judged on its own by the receiving filters); a
 * variant's findings are listed for the parts it changes, named {@code variants[<id>].<part>}.
 */
public final class CampaignContentCheck {
    private final ContentChecker checker;
    private final SenderAuthentication sender;
    private final double threshold;

    /** @param threshold the score at or above which a campaign is not sent unless the request forces it */
    public CampaignContentCheck(ContentChecker checker, SenderAuthentication sender, double threshold) {
        if (!(threshold > 0)) {
            throw new IllegalArgumentException("threshold must be positive");
        }
        this.checker = checker;
        this.sender = sender;
        this.threshold = threshold;
    }

    public double threshold() {
        return threshold;
    }

    public ContentReport check(MessageDraft draft) {
        return checker.check(draft, threshold);
    }

    /** The content check and the From domain's authentication (DNS), e.g. for the check endpoints. */
    public ContentReport checkWithSender(MessageDraft draft, List<String> dkimSelectors) {
        ContentReport report = check(draft);
        return draft.fromEmail() == null || !draft.fromEmail().contains("@") ? report
                : report.withSender(sender.check(draft.fromEmail(), dkimSelectors));
    }

    public ContentReport checkWithSender(Campaign campaign, List<String> dkimSelectors) {
        return check(campaign).withSender(sender.check(campaign.fromEmail(), dkimSelectors));
    }

    public MessageDraft improve(MessageDraft draft, java.util.Set<String> improvementIds) {
        return checker.improve(draft, improvementIds);
    }

    public ContentReport check(Campaign campaign) {
        ContentReport base = checker.check(draft(campaign, campaign.content()), threshold);
        double score = base.score();
        List<ContentFinding> findings = new ArrayList<>(base.findings());
        List<ContentImprovement> improvements = new ArrayList<>(base.improvements());
        for (Variant variant : campaign.variants()) {
            if (variant.subject() == null && variant.html() == null && variant.text() == null) {
                continue; // only a share of the audience: its mail is the campaign's own
            }
            ContentReport ofVariant = checker.check(draft(campaign, campaign.contentFor(variant.id())), threshold);
            score = Math.max(score, ofVariant.score());
            String prefix = "variants[" + variant.id() + "].";
            for (ContentFinding f : ofVariant.findings()) {
                if (changes(variant, f.where())) {
                    findings.add(new ContentFinding(f.rule(), f.points(), prefix + f.where(), f.evidence(), f.fix(),
                            f.improvement()));
                }
            }
            for (ContentImprovement i : ofVariant.improvements()) {
                if (changes(variant, i.part())) {
                    improvements.add(new ContentImprovement(i.id(), i.description(), prefix + i.part(), i.before(), i.after()));
                }
            }
        }
        return new ContentReport(Math.round(score * 10) / 10.0, threshold, findings, improvements);
    }

    /**
     * Refuses to send a campaign that scores at or above the threshold, unless forced. On the content alone: a DNS
     * answer that is slow or missing never blocks a send.
     *
     * @throws ContentRefusedException with the report, naming every finding
     */
    public void beforeSend(Campaign campaign, boolean force) {
        if (force) {
            return;
        }
        ContentReport report = check(campaign);
        if (report.refused()) {
            throw new ContentRefusedException(report);
        }
    }

    private static boolean changes(Variant variant, String part) {
        return switch (part) {
            case "subject" -> variant.subject() != null;
            case "html" -> variant.html() != null;
            case "text" -> variant.text() != null || variant.html() != null; // a derived text follows the HTML
            default -> false;
        };
    }

    private static MessageDraft draft(Campaign campaign, CampaignContent content) {
        return new MessageDraft(campaign.fromEmail(), content.subject(), content.html(), content.text());
    }
}
