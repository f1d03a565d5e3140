package dev.dispatch.domain.content;

import java.util.List;

/**
 * A content check's verdict: the spam score (the sum of the findings' points, SpamAssassin's scale: 5 is where a
 * typical filter starts to file mail as spam), the threshold at or above which sending is refused, every finding,
 * and the improvements that can be applied on request.
 */
public record ContentReport(double score, double threshold, List<ContentFinding> findings,
        List<ContentImprovement> improvements) {

    public ContentReport {
        findings = List.copyOf(findings);
        improvements = List.copyOf(improvements);
    }

    /** Sending is refused (unless forced) at or above the threshold. */
    public boolean refused() {
        return score >= threshold;
    }
}
