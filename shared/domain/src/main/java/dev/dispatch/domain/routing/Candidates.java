package dev.dispatch.domain.routing;

import java.util.List;
import java.util.Map;

/**
 * The providers that may take new traffic for one batch, in the order to fall back on them: the campaign's pinned
 * order when {@code pinned}, else by weight (highest first). Weights and reputations are the effective ones (after
 * operator overrides).
 */
public record Candidates(List<String> providers, boolean pinned, Map<String, Integer> weights, Map<String, Double> reputations) {
    public Candidates {
        providers = List.copyOf(providers);
        weights = Map.copyOf(weights);
        reputations = Map.copyOf(reputations);
    }

    public int weight(String provider) {
        return weights.getOrDefault(provider, 0);
    }

    public double reputation(String provider) {
        return reputations.getOrDefault(provider, Reputation.NEUTRAL);
    }
}
