package dev.dispatch.domain.analytics;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A campaign's per-variant counters: the send path and apply-engagement keep them on the campaign item as
 * {@code variant.<name>.<counter>} beside the totals.
 */
public final class CampaignVariantCounts {
    public static final String PREFIX = "variant.";

    private CampaignVariantCounts() {}

    /**
     * The counters of each variant, by variant name: the campaign's own variants first, in their order (present even
     * before anything was counted for them), then any other name found in the counters, sorted.
     */
    public static Map<String, Map<String, Long>> split(List<String> variants, Map<String, Long> counters) {
        return split(PREFIX, variants, counters);
    }

    /**
     * The same for any {@code <prefix><name>.<counter>} family (per provider: {@code provider.}), {@code names}
     * first in their order.
     */
    public static Map<String, Map<String, Long>> split(String prefix, List<String> variants, Map<String, Long> counters) {
        Map<String, Map<String, Long>> byVariant = new LinkedHashMap<>();
        variants.forEach(name -> byVariant.put(name, new TreeMap<>()));
        Map<String, Map<String, Long>> others = new TreeMap<>();
        counters.forEach((key, value) -> {
            // Counter names have no dot, so the last dot ends the variant name, whatever it holds.
            int last = key.lastIndexOf('.');
            if (!key.startsWith(prefix) || last <= prefix.length()) {
                return;
            }
            String name = key.substring(prefix.length(), last);
            Map<String, Long> target = byVariant.containsKey(name) ? byVariant.get(name)
                    : others.computeIfAbsent(name, n -> new TreeMap<>());
            target.put(key.substring(last + 1), value);
        });
        byVariant.putAll(others);
        return byVariant;
    }
}
