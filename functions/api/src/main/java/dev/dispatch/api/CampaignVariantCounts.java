package dev.dispatch.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A campaign's per-variant counters: the send path and apply-engagement keep them on the campaign item as
 * {@code variant.<name>.<counter>} beside the totals.
 */
final class CampaignVariantCounts {
    static final String PREFIX = "variant.";

    private CampaignVariantCounts() {}

    /**
     * The counters of each variant, by variant name: the campaign's own variants first, in their order (present even
     * before anything was counted for them), then any other name found in the counters, sorted.
     */
    static Map<String, Map<String, Long>> split(List<String> variants, Map<String, Long> counters) {
        Map<String, Map<String, Long>> byVariant = new LinkedHashMap<>();
        variants.forEach(name -> byVariant.put(name, new TreeMap<>()));
        Map<String, Map<String, Long>> others = new TreeMap<>();
        counters.forEach((key, value) -> {
            // Counter names have no dot, so the last dot ends the variant name, whatever it holds.
            int last = key.lastIndexOf('.');
            if (!key.startsWith(PREFIX) || last <= PREFIX.length()) {
                return;
            }
            String name = key.substring(PREFIX.length(), last);
            Map<String, Long> target = byVariant.containsKey(name) ? byVariant.get(name)
                    : others.computeIfAbsent(name, n -> new TreeMap<>());
            target.put(key.substring(last + 1), value);
        });
        byVariant.putAll(others);
        return byVariant;
    }
}
