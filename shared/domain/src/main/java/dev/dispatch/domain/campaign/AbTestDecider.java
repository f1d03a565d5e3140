package dev.dispatch.domain.campaign;

import dev.dispatch.domain.analytics.CampaignVariantCounts;
import dev.dispatch.domain.analytics.DeliveryRates;
import dev.dispatch.domain.analytics.Significance;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Decides an A/B test from the campaign's per-variant counters (kept by send-batch and apply-engagement): the leader
 * on the metric wins if every variant reached the minimum sample and the leader beats each other variant by the
 * two-proportion z-test ({@link Significance}) at the required confidence, Bonferroni-corrected for the number of
 * comparisons (with six variants a plain 95 % would let chance pick a "winner" about one time in five).
 */
public final class AbTestDecider {
    private AbTestDecider() {}

    public static AbTestDecision decide(AbTest test, List<Variant> variants, Map<String, Long> counters, Instant now) {
        Map<String, Map<String, Long>> byVariant =
                CampaignVariantCounts.split(variants.stream().map(Variant::id).toList(), counters);
        List<AbTestDecision.Arm> arms = new ArrayList<>();
        for (Variant v : variants) {
            arms.add(arm(test.metric(), v.id(), byVariant.getOrDefault(v.id(), Map.of())));
        }
        AbTestDecision.Arm leader = arms.get(0);
        for (AbTestDecision.Arm arm : arms) {
            if (arm.rate() > leader.rate()) {
                leader = arm;
            }
        }
        double requiredP = (1 - test.confidence()) / (arms.size() - 1);
        List<AbTestDecision.Comparison> comparisons = new ArrayList<>();
        AbTestDecision.Comparison closest = null;
        for (AbTestDecision.Arm arm : arms) {
            if (arm == leader) {
                continue;
            }
            Significance.Result r = Significance.twoProportions(leader.successes(), leader.base(), arm.successes(), arm.base());
            AbTestDecision.Comparison c = new AbTestDecision.Comparison(arm.variant(), r.z(), r.pValue(), r.confidence());
            comparisons.add(c);
            if (closest == null || c.pValue() > closest.pValue()) {
                closest = c;
            }
        }
        boolean enough = arms.stream().allMatch(a -> a.base() >= test.minSamplePerVariant());
        boolean significant = enough && comparisons.stream().allMatch(c -> c.z() > 0 && c.pValue() <= requiredP);
        String reason = !enough ? AbTestDecision.SAMPLE_TOO_SMALL
                : significant ? AbTestDecision.SIGNIFICANT : AbTestDecision.NOT_SIGNIFICANT;
        String winner = significant ? leader.variant() : null;
        return new AbTestDecision(now, test.metric().wireName(), test.confidence(), requiredP, test.minSamplePerVariant(),
                winner, significant ? winner : test.fallback(), !significant, reason, leader.variant(),
                closest.z(), closest.pValue(), closest.confidence(), arms, comparisons);
    }

    private static AbTestDecision.Arm arm(AbTest.Metric metric, String id, Map<String, Long> counts) {
        long sent = counts.getOrDefault("sent", 0L);
        long opened = counts.getOrDefault("uniqueOpened", 0L);
        long clicked = counts.getOrDefault("uniqueClicked", 0L);
        long delivered = DeliveryRates.engagementBase(counts);
        long base = metric == AbTest.Metric.CLICK_TO_OPEN ? opened : delivered;
        long successes = metric == AbTest.Metric.OPEN ? opened : clicked;
        return new AbTestDecision.Arm(id, sent, base, successes, DeliveryRates.ratio(successes, base));
    }
}
