package dev.dispatch.domain.content;

import java.util.List;

/**
 * A content check's verdict: the spam score (the sum of the findings' points, SpamAssassin's scale: 5 is where a
 * typical filter starts to file mail as spam), the threshold at or above which sending is refused, every finding,
 * the improvements that can be applied on request, and the
 * sending domain's authentication when it was checked (null otherwise).
 */
public record ContentReport(double score, double threshold, List<ContentFinding> findings,
        List<ContentImprovement> improvements, SenderReport sender) {

    public ContentReport {
        findings = List.copyOf(findings);
        improvements = List.copyOf(improvements);
    }

    public ContentReport(double score, double threshold, List<ContentFinding> findings, List<ContentImprovement> improvements) {
        this(score, threshold, findings, improvements, null);
    }

    /** The same report with the sending domain's checks (they don't count towards the score). */
    public ContentReport withSender(SenderReport checks) {
        return new ContentReport(score, threshold, findings, improvements, checks);
    }

    /** Sending is refused (unless forced) at or above the threshold. */
    public boolean refused() {
        return score >= threshold;
    }
}
