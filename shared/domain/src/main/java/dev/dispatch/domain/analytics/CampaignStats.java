package dev.dispatch.domain.analytics;

import dev.dispatch.domain.campaign.AbTest;
import dev.dispatch.domain.campaign.AbTestState;
import dev.dispatch.domain.campaign.Campaign;
import dev.dispatch.domain.campaign.Variant;
import dev.dispatch.domain.engagement.RecipientDomains;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A campaign's counts and rates so far, overall and per A/B variant, from its counters alone (the api's
 * GET /campaigns/{id}/stats and the report function's campaign report show the same figures).
 */
public final class CampaignStats {

    private CampaignStats() {}

    public static final String PROVIDER_PREFIX = "provider.";
    public static final String ROUTE_PREFIX = "route.";

    /** Each provider's counters, by provider name (sorted): {@code provider.<p>.<counter>}. */
    public static Map<String, Map<String, Long>> byProvider(Map<String, Long> all) {
        return CampaignVariantCounts.split(PROVIDER_PREFIX, List.of(), all);
    }

    private static boolean isProviderCounter(String name) {
        return name.startsWith(PROVIDER_PREFIX) && name.lastIndexOf('.') > PROVIDER_PREFIX.length();
    }

    /** The share of the campaign's recipients sent so far (0 before any recipient was counted). */
    public static double sentRate(Map<String, Long> counters) {
        return DeliveryRates.ratio(counters.getOrDefault("sent", 0L), counters.getOrDefault("recipients", 0L));
    }

    /** Each variant's counters and rates, the campaign's own variants first (see {@link CampaignVariantCounts}). */
    public static Map<String, Object> variants(Campaign campaign, Map<String, Long> counters) {
        Map<String, Object> variants = new LinkedHashMap<>();
        CampaignVariantCounts.split(campaign.variants().stream().map(Variant::id).toList(), counters)
                .forEach((name, counts) -> variants.put(name, Map.of("counts", counts, "rates", DeliveryRates.campaign(counts))));
        return variants;
    }

    /**
     * The body of GET /campaigns/{id}/stats: the send path's {@code provider.<p>.<fate>} and {@code route.<route>}
     * counters and the per-recipient-domain counters ({@code domain.<group>.<counter>}, see {@link RecipientDomains})
     * are shown apart ({@code providers}, {@code routes}, {@code domains}), the rest are the campaign's counts.
     */
    public static Map<String, Object> view(Campaign campaign, Map<String, Long> all) {
        Map<String, Long> counters = new LinkedHashMap<>();
        Map<String, Long> routes = new TreeMap<>();
        all.forEach((name, n) -> {
            if (name.startsWith(ROUTE_PREFIX)) {
                routes.put(name.substring(ROUTE_PREFIX.length()), n);
            } else if (!isProviderCounter(name) && !RecipientDomains.isDomainCounter(name)) {
                counters.put(name, n);
            }
        });
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", campaign.id());
        body.put("status", campaign.status().wireName());
        body.put("counts", counters);
        body.put("providers", byProvider(all));
        body.put("routes", routes);
        body.put("domains", RecipientDomains.split(all));
        body.put("sentRate", sentRate(counters));
        body.put("rates", DeliveryRates.campaign(counters));
        body.put("variants", variants(campaign, counters));
        return body;
    }

    /** The same, with the campaign's A/B test: its settings, where it stands and, once decided, the decision. */
    public static Map<String, Object> view(Campaign campaign, Map<String, Long> all, AbTestState abTest) {
        Map<String, Object> body = view(campaign, all);
        AbTest test = campaign.abTest();
        if (test != null) {
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("samplePercent", test.samplePercent());
            view.put("waitMinutes", test.waitMinutes());
            view.put("metric", test.metric().wireName());
            view.put("minSamplePerVariant", test.minSamplePerVariant());
            view.put("confidence", test.confidence());
            view.put("fallback", test.fallback());
            view.put("phase", abTest.decision() != null ? "decided" : abTest.decideAt() != null ? "waiting" : "sampling");
            view.put("decideAt", abTest.decideAt());
            view.put("decision", abTest.decision());
            body.put("abTest", view);
        }
        return body;
    }
}
