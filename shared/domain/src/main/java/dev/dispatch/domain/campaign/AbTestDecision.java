package dev.dispatch.domain.campaign;

import java.time.Instant;
import java.util.List;

/**
 * What an A/B test decided, with the figures it decided on; stored once (a conditional write) and never re-decided.
 *
 * @param winner the variant that won significantly, or null
 * @param sendTo what the rest of the audience gets: {@code winner}, else the test's fallback (a variant id or
 *     {@link AbTest#SPLIT})
 * @param fallbackUsed true when there was no significant winner and {@code sendTo} is the fallback
 * @param reason why: {@code significant}, {@code not-significant} or {@code sample-too-small}
 * @param leader the variant with the best rate (ties: the earlier variant)
 * @param z the z of the leader against its closest rival (the comparison that decides)
 * @param pValue that comparison's two-sided p-value
 * @param confidence 1 - pValue
 * @param requiredPValue the p-value each comparison had to reach: (1 - requiredConfidence) / (variants - 1), a Bonferroni
 *     correction, since the leader is compared with every other variant
 * @param variants each variant's sample and rate on the metric
 * @param comparisons the leader against each other variant
 */
public record AbTestDecision(
        Instant decidedAt,
        String metric,
        double requiredConfidence,
        double requiredPValue,
        int minSamplePerVariant,
        String winner,
        String sendTo,
        boolean fallbackUsed,
        String reason,
        String leader,
        double z,
        double pValue,
        double confidence,
        List<Arm> variants,
        List<Comparison> comparisons) {

    public static final String SIGNIFICANT = "significant";
    public static final String NOT_SIGNIFICANT = "not-significant";
    public static final String SAMPLE_TOO_SMALL = "sample-too-small";

    public AbTestDecision {
        variants = List.copyOf(variants);
        comparisons = List.copyOf(comparisons);
    }

    /**
     * One variant in the sample: {@code sent} messages, {@code base} the metric's denominator (delivered, or opens
     * for click-to-open), {@code successes} its numerator, {@code rate} = successes / base.
     */
    public record Arm(String variant, long sent, long base, long successes, double rate) {}

    /** The leader against {@code variant}: z, two-sided p-value and 1 - p. */
    public record Comparison(String variant, double z, double pValue, double confidence) {}
}
